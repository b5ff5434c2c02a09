"""Version and view schemas: readable by the reader role (never writable), created race-free."""

import asyncio
from uuid import uuid4

import psycopg
import pytest
from psycopg import AsyncConnection
from sqlalchemy.engine import make_url

from contracts.read_model import READER_ROLE
from infra.db import libpq_dsn
from infra.settings import ServiceSettings
from projections.catalog import PROJECTIONS
from projections.runtime.projection import Deployment
from projections.runtime.versions import Version, ensure_live
from projections.seat_availability.projection import SEATS_FILLFACTOR
from projections.testing.harness import deployment_for, query

pytestmark = pytest.mark.integration

WRITES = [
    "INSERT INTO {s}.checkpoints (partition, next_offset) VALUES (99, 1)",
    "UPDATE {s}.checkpoints SET next_offset = 0",
    "DELETE FROM {s}.dead_letters",
    "TRUNCATE {s}.watermarks",
    "CREATE TABLE {s}.intruder (x int)",
    "DROP TABLE {s}.checkpoints",
]


async def _live(database_url: str, deployment: Deployment) -> Version:
    async with await AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
        return await ensure_live(conn, deployment)


def _reader_dsn(database_url: str) -> str:
    password = ServiceSettings().reader_password.get_secret_value()
    url = make_url(database_url).set(username=READER_ROLE, password=password)
    return libpq_dsn(url.render_as_string(hide_password=False))


async def test_the_reader_reads_a_versions_status_tables_and_writes_none(
    database_url: str, kafka_bootstrap: str, topic: str
) -> None:
    live = await _live(database_url, deployment_for("seat_availability", topic))
    s = f'"{live.schema_name}"'
    with psycopg.connect(libpq_dsn(database_url), autocommit=True) as owner:
        owner.execute(f"INSERT INTO {s}.checkpoints (partition, next_offset) VALUES (0, 42)")
    with psycopg.connect(_reader_dsn(database_url), autocommit=True) as reader:
        assert reader.execute(f"SELECT sum(next_offset) FROM {s}.checkpoints").fetchone() == (42,)
        assert reader.execute(f"SELECT count(*) FROM {s}.dead_letters").fetchone() == (0,)
        assert reader.execute(f"SELECT count(*) FROM {s}.seats").fetchone() == (0,)
        for statement in WRITES:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                reader.execute(statement.format(s=s))
    assert query(database_url, f"SELECT partition, next_offset FROM {s}.checkpoints") == [(0, 42)]


async def test_projections_starting_at_once_share_a_fresh_views_schema(
    database_url: str, kafka_bootstrap: str, topic: str
) -> None:
    for _ in range(5):  # a race needs a few chances to show
        views = f"read_t{uuid4().hex[:10]}"
        deployments = [
            Deployment(PROJECTIONS[name], f"{name}_t{uuid4().hex[:10]}", topic, views, f"{topic}.dlq")
            for name in ("seat_availability", "dashboard", "seat_availability", "dashboard")
        ]
        made = await asyncio.gather(*(_live(database_url, d) for d in deployments))
        assert [v.state for v in made] == ["live"] * len(deployments)
        found = query(
            database_url,
            "SELECT count(*) FROM information_schema.views WHERE table_schema = %s",
            (views,),
        )
        # Each projection's views once, and the views schema's projection_progress.
        assert found == [(sum(len(d.projection.views("x")) for d in deployments[:2]) + 1,)]


async def test_a_versions_seat_table_leaves_room_for_hot_status_updates(
    database_url: str, kafka_bootstrap: str, topic: str
) -> None:
    live = await _live(database_url, deployment_for("seat_availability", topic))
    options = query(
        database_url,
        "SELECT c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        f" WHERE n.nspname = '{live.schema_name}' AND c.relname = 'seats'",
    )
    assert options == [([f"fillfactor={SEATS_FILLFACTOR}"],)]
    assert SEATS_FILLFACTOR < 100
