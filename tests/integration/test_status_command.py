"""``boxoffice status`` against a known state on the real PostgreSQL and Kafka.

A private database holds three unpublished outbox rows, a relay lock held by a
session of the test, and a ``dashboard`` projection replayed into version 2 over
a private topic of five events, with dead letters; stub HTTP servers stand in
for the APIs and metrics ports. The command's JSON must show exactly that.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from psycopg import AsyncConnection

from command_side.settings import CommandSettings
from infra.db import libpq_dsn
from projections.catalog import deployment
from projections.runtime.projection import Deployment
from projections.runtime.versions import create_version, ensure_live, swap
from projections.testing.harness import produce
from tests.support.http_stub import recording_stub
from tests.support.kafka import private_topic
from tests.support.status_cli import UNREACHABLE, insert_outbox, invoke, urls

pytestmark = pytest.mark.integration

RELAY_LOCK = CommandSettings.model_fields["relay_lock_key"].default


@pytest.fixture
async def events_topic(kafka_bootstrap: str) -> AsyncIterator[str]:
    async with private_topic(kafka_bootstrap, "test.status", 3, dead_letter=True) as name:
        yield name


async def replayed_dashboard(database_url: str, topic: str) -> Deployment:
    """``dashboard`` v1 live, then v2 built and swapped in; v2 has dead letters and a quarantined show."""
    d = deployment("dashboard", topic)
    async with await AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
        v1 = await ensure_live(conn, d)
        async with conn.transaction():
            v2 = await create_version(conn, d, "building")
        async with conn.transaction():
            await swap(conn, d, v1, v2)
        s = v2.schema_name
        await conn.execute(
            f'INSERT INTO {s}.dead_letters (partition, "offset", error, redriven_at)'
            " VALUES (0, 1, 'boom', NULL), (0, 2, 'boom', now())"
        )
        await conn.execute(
            f"INSERT INTO {s}.quarantine (show_id, dead_letter_id, error) VALUES (%s, 1, 'x')", (uuid4(),)
        )
    return d


async def test_status_reports_the_known_state(
    private_database_url: str, kafka_bootstrap: str, events_topic: str
) -> None:
    insert_outbox(private_database_url)
    await produce(kafka_bootstrap, events_topic, [(b"k", b"{}")] * 5)
    await replayed_dashboard(private_database_url, events_topic)
    leader = psycopg.connect(
        libpq_dsn(private_database_url), autocommit=True, application_name="status-test-relay"
    )
    try:
        assert leader.execute("SELECT pg_try_advisory_lock(%s)", (RELAY_LOCK,)).fetchone() == (True,)
        async with recording_stub(lambda method, path: 200) as (stub, base):
            result = await asyncio.to_thread(
                invoke, private_database_url, kafka_bootstrap, "--json", *urls(base, base, base, base)
            )
        assert result.exit_code == 0, result.output
        report: dict[str, Any] = json.loads(result.stdout)
        assert {p for _, p, _, _ in stub.requests} == {"/readyz", "/metrics"}
        assert report["healthy"] is True
        assert report["problems"] == []
        assert [s["state"] for s in report["services"]] == ["up"] * 6
        (holder,) = report["relay_leaders"]
        assert holder["pid"] == leader.info.backend_pid
        assert holder["application_name"] == "status-test-relay"
        assert report["outbox"]["rows"] == 3
        assert 115 <= report["outbox"]["oldest_age_seconds"] < 3600
        (dashboard,) = report["projections"]
        assert (dashboard["projection"], dashboard["version"], dashboard["state"]) == ("dashboard", 2, "live")
        assert dashboard["lag_events"] == 5
        assert (
            dashboard["open_dead_letters"],
            dashboard["dead_letters"],
            dashboard["quarantined_shows"],
        ) == (1, 2, 1)
        replays = {r["projection"]: r for r in report["replays"]}
        assert replays["dashboard"]["version"] == 2
        assert replays["dashboard"]["state"] == "live"
        assert replays["dashboard"]["swapped_at"] is not None
        assert replays["seat_availability"]["version"] is None
    finally:
        leader.close()

    # The lock released and the query API not ready: unhealthy, exit 1, and the table says why.
    async with recording_stub(lambda method, path: 503 if path == "/readyz" else 200) as (_, base):
        result = await asyncio.to_thread(
            invoke, private_database_url, kafka_bootstrap, *urls(base, base, base, base)
        )
    assert result.exit_code == 1, result.output
    assert "not ready" in result.stdout
    assert "no relay leader holds the lock" in result.stdout


def test_an_unreachable_database_is_reported_down_with_exit_1(kafka_bootstrap: str) -> None:
    dead = "postgresql+psycopg://boxoffice:boxoffice@127.0.0.1:9/boxoffice"
    args = urls(UNREACHABLE, UNREACHABLE, UNREACHABLE, UNREACHABLE)
    result = invoke(dead, kafka_bootstrap, "--json", *args)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    services = {s["name"]: s["state"] for s in report["services"]}
    assert services["postgresql"] == "down"
    assert services["kafka"] == "up"
    assert services["command API"] == "down"
    assert report["outbox"] is None
    assert report["relay_leaders"] is None
    assert "postgresql is down" in report["problems"]

    table = invoke(dead, kafka_bootstrap, *args)
    assert table.exit_code == 1
    assert "down" in table.stdout
    assert "Traceback" not in table.output
    assert table.exception is None or isinstance(table.exception, SystemExit)


async def test_a_down_broker_leaves_lag_unknown_and_reads_the_rest(private_database_url: str) -> None:
    insert_outbox(private_database_url)
    await replayed_dashboard(private_database_url, "test.status.no-broker")
    args = urls(UNREACHABLE, UNREACHABLE, UNREACHABLE, UNREACHABLE)
    result = await asyncio.to_thread(invoke, private_database_url, "127.0.0.1:9", "--json", *args)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert {s["name"]: s["state"] for s in report["services"]}["kafka"] == "down"
    assert report["outbox"]["rows"] == 3
    (dashboard,) = report["projections"]
    assert (dashboard["version"], dashboard["lag_events"], dashboard["lag_seconds"]) == (2, None, None)
    assert dashboard["open_dead_letters"] == 1
    assert "Kafka is down: projection lag unknown" in report["errors"]
