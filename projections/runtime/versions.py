"""The version registry (``projection_meta.versions``) and the read views over the live version.

Guarantees: at most one live version per projection (a unique index); the
views and the live flag move together in one transaction (``swap``), so a
reader sees version N or N+1, never neither and never a half-built one.
Creating a version is serialized per projection by an advisory lock; creating
or re-pointing the views of a views schema by another, so projectors of
different projections starting at once never race on the same schema.
Each views schema also holds ``projection_progress`` (``contracts.read_model``):
every version registered for it, with the live one's progress. It reads the
registry and the versions' runtime tables when queried, so it never changes at
a swap and never depends on a version schema (dropping one leaves it intact).
The read-only reader role (where it exists) may SELECT every view, and every
table of every version schema; it can write none.
"""

from dataclasses import dataclass
from typing import Any, Literal

from psycopg import AsyncConnection

from contracts.progress import PROGRESS_CHANNEL, encode_swap
from contracts.read_model import PROJECTION_PROGRESS, READER_ROLE
from projections.runtime.progress_view import publish_progress_view
from projections.runtime.projection import Deployment
from projections.runtime.schema import runtime_ddl
from projections.runtime.sql import ident

State = Literal["building", "live", "retired", "abandoned"]
_COLUMNS = "projection, version, schema_name, state, consumer_group, topic, views_schema"


@dataclass(frozen=True, slots=True)
class Version:
    projection: str
    version: int
    schema_name: str
    state: str
    consumer_group: str
    topic: str
    views_schema: str


async def _lock(conn: AsyncConnection[Any], name: str) -> None:
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"boxoffice.projection:{name}",))


async def _lock_views_schema(conn: AsyncConnection[Any], views_schema: str) -> None:
    # CREATE SCHEMA IF NOT EXISTS and GRANT both race between concurrent transactions
    # (a unique violation on pg_namespace, "tuple concurrently updated"): one at a time.
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"boxoffice.views:{views_schema}",))


async def _reader_exists(conn: AsyncConnection[Any]) -> bool:
    cur = await conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (READER_ROLE,))
    return await cur.fetchone() is not None


async def grant_reader(conn: AsyncConnection[Any], schema: str) -> None:
    """Let the reader role (if any) SELECT every table of version schema ``schema``, including
    tables created later by this role; in the caller's transaction, idempotent. SELECT only."""
    if not await _reader_exists(conn):
        return
    s = ident(schema)
    await conn.execute(f"GRANT USAGE ON SCHEMA {s} TO {READER_ROLE}")
    await conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {READER_ROLE}")
    await conn.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT SELECT ON TABLES TO {READER_ROLE}")


async def versions(conn: AsyncConnection[Any], name: str) -> list[Version]:
    """Every version of a projection, oldest first."""
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM projection_meta.versions WHERE projection = %s ORDER BY version", (name,)
    )
    return [Version(*row) for row in await cur.fetchall()]


async def find(conn: AsyncConnection[Any], name: str, state: State) -> Version | None:
    """The newest version of ``name`` in ``state``."""
    found = [v for v in await versions(conn, name) if v.state == state]
    return found[-1] if found else None


async def create_version(conn: AsyncConnection[Any], deployment: Deployment, state: State) -> Version:
    """Register version max+1 and create its schema and tables, in the caller's transaction."""
    name = deployment.registry_name
    await _lock(conn, name)
    cur = await conn.execute(
        "SELECT coalesce(max(version), 0) + 1 FROM projection_meta.versions WHERE projection = %s", (name,)
    )
    row = await cur.fetchone()
    number = int(row[0]) if row else 1
    schema = deployment.schema_for(number)
    await conn.execute(f"DROP SCHEMA IF EXISTS {ident(schema)} CASCADE")  # leftovers of a lost registry row
    for statement in runtime_ddl(schema) + deployment.projection.ddl(schema):
        await conn.execute(statement)
    await grant_reader(conn, schema)
    await conn.execute(
        f"INSERT INTO projection_meta.versions ({_COLUMNS}, activated_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, CASE WHEN %s = 'live' THEN now() END)",
        (
            name,
            number,
            schema,
            state,
            deployment.group_for(number),
            deployment.topic,
            deployment.views_schema,
            state,
        ),
    )
    version = Version(
        name, number, schema, state, deployment.group_for(number), deployment.topic, deployment.views_schema
    )
    if state == "live":
        await point_views(conn, deployment, schema, number)
    return version


async def ensure_live(conn: AsyncConnection[Any], deployment: Deployment) -> Version:
    """The live version, creating version 1 (live, views included) on first start."""
    async with conn.transaction():
        await _lock(conn, deployment.registry_name)
        live = await find(conn, deployment.registry_name, "live")
        if live is None:
            live = await create_version(conn, deployment, "live")
        else:
            # Versions created before the reader could read version schemas get the grant here.
            await grant_reader(conn, live.schema_name)
    return live


async def point_views(
    conn: AsyncConnection[Any], deployment: Deployment, schema: str, version: int | None = None
) -> None:
    """DROP and CREATE the read views over ``schema``, in the caller's transaction.

    Announces the swap on the progress channel (delivered at commit), so that
    readers holding versions in memory drop what they hold of this views schema.
    """
    views = ident(deployment.views_schema)
    await _lock_views_schema(conn, deployment.views_schema)
    await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {views}")
    for view, select in deployment.projection.views(schema).items():
        await conn.execute(f"DROP VIEW IF EXISTS {views}.{ident(view)}")
        await conn.execute(f"CREATE VIEW {views}.{ident(view)} AS {select}")
    await publish_progress_view(conn, deployment.views_schema)
    if await _reader_exists(conn):
        await conn.execute(f"GRANT USAGE ON SCHEMA {views} TO {READER_ROLE}")
        await conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {views} TO {READER_ROLE}")
    notice = encode_swap(
        deployment.registry_name, version, deployment.views_schema, deployment.projection.name
    )
    await conn.execute("SELECT pg_notify(%s, %s)", (PROGRESS_CHANNEL, notice))


async def add_missing_views(conn: AsyncConnection[Any], deployment: Deployment, schema: str) -> list[str]:
    """Create the read views a newer release added, over the live ``schema``; return their names.

    Existing views are left alone (no swap notice: nothing served changes). The
    tables behind new views hold only what was applied since they were created:
    a replay fills them from the whole log.
    """
    await _lock_views_schema(conn, deployment.views_schema)
    cur = await conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relkind = 'v'",
        (deployment.views_schema,),
    )
    existing = {str(r[0]) for r in await cur.fetchall()}
    views = ident(deployment.views_schema)
    added = []
    for view, select in deployment.projection.views(schema).items():
        if view not in existing:
            await conn.execute(f"CREATE VIEW {views}.{ident(view)} AS {select}")
            added.append(view)
    publish = PROJECTION_PROGRESS.name not in existing  # views schemas made by an older release
    if publish:
        await publish_progress_view(conn, deployment.views_schema)
    if (added or publish) and await _reader_exists(conn):
        await conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {views} TO {READER_ROLE}")
    return added


async def lock_version(conn: AsyncConnection[Any], version: Version) -> str | None:
    """Lock a version's registry row for update and return its state (None if gone)."""
    cur = await conn.execute(
        "SELECT state FROM projection_meta.versions WHERE projection = %s AND version = %s FOR UPDATE",
        (version.projection, version.version),
    )
    row = await cur.fetchone()
    return str(row[0]) if row else None


async def swap(conn: AsyncConnection[Any], deployment: Deployment, old: Version | None, new: Version) -> None:
    """Make ``new`` the live version in the caller's transaction: views and registry together.

    All the views are locked at once first, under a short lock timeout: a reader
    joining two views holds one while waiting for the other, so locking them one
    by one could deadlock with it. On timeout this raises LockNotAvailable and
    the caller retries; readers only ever wait, they never fail.
    """
    await lock_views(conn, deployment)
    if old is not None:
        await conn.execute(
            "UPDATE projection_meta.versions SET state = 'retired', retired_at = now()"
            " WHERE projection = %s AND version = %s",
            (old.projection, old.version),
        )
    await conn.execute(
        "UPDATE projection_meta.versions SET state = 'live', activated_at = now()"
        " WHERE projection = %s AND version = %s",
        (new.projection, new.version),
    )
    await point_views(conn, deployment, new.schema_name, new.version)


async def lock_views(conn: AsyncConnection[Any], deployment: Deployment, timeout_ms: int = 250) -> None:
    """Lock every existing read view of the deployment exclusively, or raise LockNotAvailable."""
    cur = await conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relname = ANY(%s) AND c.relkind = 'v' ORDER BY 1",
        (deployment.views_schema, list(deployment.projection.views("x"))),
    )
    names = [f"{ident(deployment.views_schema)}.{ident(r[0])}" for r in await cur.fetchall()]
    if names:
        await conn.execute(f"SET LOCAL lock_timeout = {int(timeout_ms)}")
        await conn.execute(f"LOCK TABLE {', '.join(names)} IN ACCESS EXCLUSIVE MODE")
        await conn.execute("SET LOCAL lock_timeout = 0")


async def set_state(conn: AsyncConnection[Any], version: Version, state: State) -> None:
    await conn.execute(
        "UPDATE projection_meta.versions SET state = %s,"
        " retired_at = CASE WHEN %s IN ('retired', 'abandoned') THEN now() ELSE retired_at END"
        " WHERE projection = %s AND version = %s",
        (state, state, version.projection, version.version),
    )


async def drop_tables(conn: AsyncConnection[Any], version: Version) -> None:
    """Drop a version's schema (never the live one: callers retire or abandon it first)."""
    await conn.execute(f"DROP SCHEMA IF EXISTS {ident(version.schema_name)} CASCADE")
