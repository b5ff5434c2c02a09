"""Private databases on the shared PostgreSQL server, and one-shot queries.

A private database has a unique name (``<prefix>_<random>``) and is dropped
afterwards (``WITH (FORCE)``, so sessions a test left open do not keep it);
names are always quoted as identifiers. For tests that run the command side's
relay (it publishes every unpublished outbox row of its database), change
database-wide settings, or start processes that must not share state.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import uuid4

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from infra.db import libpq_dsn
from infra.migrations.runner import upgrade
from infra.settings import ServiceSettings


def query(database_url: str, statement: str, params: Any = None) -> list[tuple[Any, ...]]:
    """Every row of one statement, on a connection of its own (committed when it returns)."""
    with psycopg.connect(libpq_dsn(database_url), connect_timeout=5) as conn:
        return conn.execute(statement, params).fetchall()


@contextmanager
def empty_database(database_url: str, prefix: str, *settings: str) -> Iterator[str]:
    """A new database without any migration; ``settings`` are ``ALTER DATABASE ... SET`` clauses
    (``"timezone = 'UTC'"``), so every session of the test sees them. Yields its URL."""
    name = f"{prefix}_{uuid4().hex[:10]}"
    database = sql.Identifier(name)
    with psycopg.connect(libpq_dsn(database_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(database))
        for setting in settings:
            conn.execute(sql.SQL("ALTER DATABASE {} SET {}").format(database, sql.SQL(setting)))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(libpq_dsn(database_url), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))


@contextmanager
def private_database(database_url: str, prefix: str, *settings: str) -> Iterator[str]:
    """:func:`empty_database` with every migration applied (after ``settings``). Yields its URL."""
    with empty_database(database_url, prefix, *settings) as url:
        upgrade(url, reader_password=ServiceSettings().reader_password.get_secret_value())
        yield url
