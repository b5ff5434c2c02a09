"""A command API and a query API as real processes over a database of their own.

The database is created for the session on the shared PostgreSQL server (a
unique name, dropped at the end), migrated, and given live projection
versions so that the read views exist. No worker runs: nothing is relayed to
the shared Kafka topic. Keys are random per session, so the log checks can
grep for them; every process's output is kept in a log file.
"""

import asyncio
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest
from psycopg import AsyncConnection, sql
from sqlalchemy.engine import make_url

from infra.db import libpq_dsn
from infra.migrations.runner import upgrade
from infra.settings import ServiceSettings
from projections.catalog import deployment
from projections.runtime.registry import ensure_live
from tests.reliability.harness.processes import Child, boxoffice_argv, clean_environment, free_ports

ROLES = ("operator", "checkout", "viewer")


@dataclass(frozen=True, slots=True)
class Apis:
    command_url: str
    query_url: str
    database_url: str
    keys: dict[str, str]
    children: tuple[Child, ...]

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}

    def logs(self) -> str:
        return "\n".join(c.log_text() for c in self.children)


async def _register_projections(database_url: str) -> None:
    async with await AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
        for name in ("seat_availability", "dashboard"):
            await ensure_live(conn, deployment(name))


@pytest.fixture(scope="session")
def security_database(database_url: str) -> Iterator[str]:
    """A migrated database of its own on the shared server, with the read views in place."""
    name = f"boxoffice_sec_{uuid4().hex[:12]}"
    admin = libpq_dsn(database_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url, reader_password=ServiceSettings().reader_password.get_secret_value())
        asyncio.run(_register_projections(url))
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def apis(security_database: str) -> Iterator[Apis]:
    keys = {role: f"{role}-{secrets.token_hex(16)}" for role in ROLES}
    env = clean_environment(
        BOXOFFICE_DATABASE_URL=security_database,
        BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9",  # no worker runs; nothing may need Kafka
        BOXOFFICE_API_KEYS=",".join(f"{role}:{key}" for role, key in keys.items()),
        BOXOFFICE_QUERY_MAX_WAIT_MS="300",  # bounded waits for tokens the read side never reaches
    )
    logs = Path(tempfile.mkdtemp(prefix="boxoffice-security-"))
    command_port, query_port = free_ports(2)
    command = Child(
        "command-api",
        boxoffice_argv("command-api", "--port", str(command_port), "--log-level", "debug"),
        env,
        logs / "command-api.log",
        health_url=f"http://127.0.0.1:{command_port}/healthz",
    )
    query = Child(
        "query-api",
        boxoffice_argv("query-api", "--port", str(query_port), "--log-level", "debug"),
        env,
        logs / "query-api.log",
        health_url=f"http://127.0.0.1:{query_port}/healthz",
    )
    try:
        for child in (command, query):
            child.start()
        for child in (command, query):
            child.wait_healthy()
        yield Apis(
            f"http://127.0.0.1:{command_port}",
            f"http://127.0.0.1:{query_port}",
            security_database,
            keys,
            (command, query),
        )
    finally:
        for child in (command, query):
            child.stop()
        shutil.rmtree(logs, ignore_errors=True)
