"""Versioned SQL migrations for the write and read schemas.

Files are ``<area>/NNNN_description.sql``; each is applied once, in order, in
its own transaction, under an advisory lock so concurrent ``db upgrade`` runs
are harmless. Applied versions are recorded in ``public.boxoffice_migrations``.
"""

from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from contracts.read_model import READ_SCHEMA, READER_ROLE, REGISTRY_SCHEMA
from infra.db import libpq_dsn

MIGRATIONS_DIR = Path(__file__).resolve().parent
AREAS = ("write", "read")
# The schemas the query API may read; it can write none.
READER_SCHEMAS = (READ_SCHEMA, REGISTRY_SCHEMA)
_LOCK_KEY = 0x6B6F_6D69  # any constant shared by every runner


@dataclass(frozen=True, slots=True)
class Migration:
    area: str
    version: int
    name: str
    path: Path


def discover(root: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for area in AREAS:
        for path in sorted((root / area).glob("[0-9][0-9][0-9][0-9]_*.sql")):
            version, _, name = path.stem.partition("_")
            found.append(Migration(area, int(version), name, path))
    return found


def upgrade(database_url: str, reader_password: str, root: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Apply every pending migration; return the ones applied now (empty when up to date)."""
    applied_now = []
    with psycopg.connect(libpq_dsn(database_url), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS public.boxoffice_migrations ("
                " area text NOT NULL, version int NOT NULL, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (area, version))"
            )
            reader = ensure_reader_role(conn, reader_password)
            done = {(a, v) for a, v in conn.execute("SELECT area, version FROM public.boxoffice_migrations")}
            for migration in discover(root):
                if (migration.area, migration.version) in done:
                    continue
                with conn.transaction():
                    conn.execute(migration.path.read_text())
                    conn.execute(
                        "INSERT INTO public.boxoffice_migrations (area, version, name) VALUES (%s, %s, %s)",
                        (migration.area, migration.version, migration.name),
                    )
                applied_now.append(migration)
            if reader:
                grant_reader(conn)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
    return applied_now


def ensure_reader_role(conn: psycopg.Connection[tuple[object, ...]], password: str) -> bool:
    """Create or refresh the read-only login role of the query API; False where not permitted."""
    try:
        with conn.transaction():
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (READER_ROLE,)).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(
                sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(READER_ROLE), sql.Literal(password)
                )
            )
            conn.execute(
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                    sql.Identifier(conn.info.dbname), sql.Identifier(READER_ROLE)
                )
            )
    except psycopg.errors.InsufficientPrivilege:
        return False
    return True


def grant_reader(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """Let the reader role SELECT from the read schemas, now and for tables made later."""
    with conn.transaction():
        for schema in READER_SCHEMAS:
            if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone():
                continue
            ident, role = sql.Identifier(schema), sql.Identifier(READER_ROLE)
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(ident, role))
            conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(ident, role))
            conn.execute(
                sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT SELECT ON TABLES TO {}").format(
                    ident, role
                )
            )
