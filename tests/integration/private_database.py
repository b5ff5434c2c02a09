"""A private, migrated database on the shared server, dropped afterwards.

For tests that run the command side's relay (it publishes every unpublished
outbox row of its database) or change database-wide settings.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import uuid4

import psycopg
from sqlalchemy.engine import make_url

from infra.db import libpq_dsn
from infra.migrations.runner import upgrade


@contextmanager
def private_database(database_url: str, prefix: str, *settings: str) -> Iterator[str]:
    """A new database named ``<prefix>_<random>``; ``settings`` are ``ALTER DATABASE ... SET`` clauses
    applied before the migrations, so every session of the test sees them."""
    name = f"{prefix}_{uuid4().hex[:10]}"
    with psycopg.connect(libpq_dsn(database_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        for setting in settings:
            conn.execute(f'ALTER DATABASE "{name}" SET {setting}')
    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url, reader_password="boxoffice-reader")
        yield url
    finally:
        with psycopg.connect(libpq_dsn(database_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
