"""``boxoffice status`` next to a real ``boxoffice command-worker``: its metrics port answers, its
leader session holds the relay lock, and the outbox backlog it drains shows as 0."""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.kafka import private_topic
from tests.support.polling import first_that
from tests.support.processes import ChildProcess, boxoffice_argv, clean_environment, free_port
from tests.support.status_cli import UNREACHABLE, insert_outbox, invoke, urls

pytestmark = pytest.mark.e2e
WITHIN_SECONDS = 60.0


@pytest.fixture
async def topic(kafka_bootstrap: str) -> AsyncIterator[str]:
    async with private_topic(kafka_bootstrap, "test.status.e2e", 3) as name:
        yield name


async def status_until(database_url: str, kafka: str, metrics: str, done: Any) -> dict[str, Any]:
    """The first ``status --json`` report for which ``done(report)`` holds (fails after a minute)."""
    args = urls(UNREACHABLE, UNREACHABLE, metrics, UNREACHABLE)

    async def report() -> dict[str, Any]:
        result = await asyncio.to_thread(invoke, database_url, kafka, "--json", *args)
        answer: dict[str, Any] = json.loads(result.stdout)
        return answer

    return await first_that(report, done, within=WITHIN_SECONDS, every=0.5, what="the status report")


async def test_status_sees_the_worker_lead_and_drain_the_outbox(
    private_database_url: str, kafka_bootstrap: str, topic: str, tmp_path: Path
) -> None:
    insert_outbox(private_database_url)
    port = free_port()
    env = clean_environment(
        BOXOFFICE_DATABASE_URL=private_database_url,
        BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
        BOXOFFICE_EVENTS_TOPIC=topic,
    )
    argv = boxoffice_argv("command-worker", "--metrics-port", str(port))
    worker = ChildProcess("worker", argv, env, tmp_path / "worker.log")
    metrics = f"http://127.0.0.1:{port}"
    worker.start()
    try:
        report = await status_until(
            private_database_url,
            kafka_bootstrap,
            metrics,
            lambda r: bool(r["relay_leaders"]) and r["outbox"]["rows"] == 0,
        )
        services = {s["name"]: s["state"] for s in report["services"]}
        assert services["command worker"] == "up"
        (leader,) = report["relay_leaders"]
        assert leader["application_name"] == "boxoffice-relay-leader"
        assert report["outbox"]["oldest_age_seconds"] == 0
    finally:
        worker.stop()
    report = await status_until(
        private_database_url, kafka_bootstrap, metrics, lambda r: r["relay_leaders"] == []
    )
    assert {s["name"]: s["state"] for s in report["services"]}["command worker"] == "down"
    assert "no relay leader holds the lock" in report["problems"]
