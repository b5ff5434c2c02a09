"""Gather every fact of ``boxoffice status``: probes in parallel, then what PostgreSQL and Kafka say.

Nothing here raises because a service is down: a probe says ``down``, and a
fact that could not be read stays None with its reason in ``errors``.
"""

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

from psycopg import AsyncConnection

from cli.operator_status import facts
from cli.operator_status.probes import CONNECT_TIMEOUT_SECONDS, probe_http, probe_kafka, probe_postgres
from cli.operator_status.report import LeaderSession, StatusReport
from infra.db import libpq_dsn

T = TypeVar("T")
FACT_TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True, slots=True)
class Targets:
    """Where the deployment's services are, as the ``status`` command's options give them."""

    database_url: str
    kafka_bootstrap_servers: str
    command_url: str
    query_url: str
    worker_metrics_url: str
    projector_metrics_url: str


def relay_lock_key(database_url: str) -> int:
    """The relay's advisory lock id, as the command worker reads it (``BOXOFFICE_RELAY_LOCK_KEY``)."""
    from command_side.settings import CommandSettings

    return CommandSettings(database_url=database_url).relay_lock_key


async def collect(targets: Targets, projections: list[str]) -> StatusReport:
    """The status of the deployment at ``targets``, for the named projections."""
    services = await asyncio.gather(
        probe_postgres(targets.database_url),
        probe_kafka(targets.kafka_bootstrap_servers),
        probe_http("command API", targets.command_url, "/readyz"),
        probe_http("query API", targets.query_url, "/readyz"),
        probe_http("command worker", targets.worker_metrics_url, "/metrics"),
        probe_http("projector", targets.projector_metrics_url, "/metrics"),
    )
    report = StatusReport(services=list(services))
    postgres_up, kafka_up = services[0].state == "up", services[1].state == "up"
    if not postgres_up:
        report.errors.append("PostgreSQL is down: relay leader, outbox and projections unknown")
        return report
    if not kafka_up:
        report.errors.append("Kafka is down: projection lag unknown")
    bootstrap = targets.kafka_bootstrap_servers if kafka_up else None
    try:
        async with await AsyncConnection.connect(
            libpq_dsn(targets.database_url), autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS
        ) as conn:
            await _read_facts(report, conn, targets.database_url, bootstrap, projections)
    except Exception as error:  # PostgreSQL went away after its probe answered
        report.errors.append(f"PostgreSQL: {_describe(error)}")
    return report


async def _read_facts(
    report: StatusReport,
    conn: AsyncConnection[Any],
    database_url: str,
    bootstrap: str | None,
    projections: list[str],
) -> None:
    async def leaders() -> list[LeaderSession]:
        return await facts.relay_leaders(conn, relay_lock_key(database_url))

    report.relay_leaders = await _fact(report, "relay leader", leaders())
    report.outbox = await _fact(report, "outbox backlog", facts.outbox_backlog(conn))
    lags = facts.projection_lags(conn, database_url, bootstrap, projections)
    report.projections = await _fact(report, "projection lag", lags)
    report.replays = await _fact(report, "last replay", facts.last_replays(conn, projections))


async def _fact(report: StatusReport, what: str, reading: Awaitable[T]) -> T | None:
    """The fact, or None with the reason noted in ``report.errors``."""
    try:
        async with asyncio.timeout(FACT_TIMEOUT_SECONDS):
            return await reading
    except Exception as error:  # a status screen shows what it could not read, and goes on
        report.errors.append(f"{what}: {_describe(error)}")
        return None


def _describe(error: BaseException) -> str:
    text: Any = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0]}" if text else type(error).__name__
