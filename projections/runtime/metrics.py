"""Prometheus metrics of the projectors: lag in events and seconds, applied events, dead letters,
batch sizes and apply durations."""

import asyncio
import time
from typing import Any

from prometheus_client import Counter, Gauge, Histogram, start_http_server
from psycopg import AsyncConnection

from projections.runtime.batch import BatchResult
from projections.runtime.sql import ident
from projections.runtime.versions import Version

LAG_EVENTS = Gauge("boxoffice_projection_lag_events", "Events not yet applied", ["projection", "partition"])
LAG_SECONDS = Gauge(
    "boxoffice_projection_lag_seconds",
    "Age of the newest applied event while behind; 0 when caught up",
    ["projection"],
)
APPLIED = Counter(
    "boxoffice_projection_events_total", "Events consumed, by outcome", ["projection", "outcome"]
)
DEAD_LETTERS = Gauge("boxoffice_projection_dead_letters", "Dead letters of the version", ["projection"])
QUARANTINED = Gauge("boxoffice_projection_quarantined_shows", "Shows quarantined", ["projection"])
BATCH_EVENTS = Histogram(
    "boxoffice_projection_batch_events",
    "Events per committed batch",
    ["projection"],
    buckets=(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 20000, 50000),
)
APPLY_SECONDS = Histogram(
    "boxoffice_projection_apply_seconds",
    "Apply and commit duration per committed batch",
    ["projection"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


def observe_commit(commit: "asyncio.Task[Any]", projection: str, events: int) -> None:
    """Once ``commit`` (a batch's apply and commit, just started) has committed, observe the batch's
    size and how long that took; a fenced, refused or cancelled batch is not observed."""
    started = time.perf_counter()

    def done(task: "asyncio.Task[Any]") -> None:
        if not task.cancelled() and task.exception() is None:
            BATCH_EVENTS.labels(projection).observe(events)
            APPLY_SECONDS.labels(projection).observe(time.perf_counter() - started)

    commit.add_done_callback(done)


def observe_batch(
    projection: str, result: BatchResult, stored: dict[int, int], highwater: dict[int, int]
) -> None:
    """A committed batch's outcomes, and the lag it leaves: per partition, from the ``stored``
    offsets to the ``highwater`` seen last; in seconds, the age of its newest event while behind."""
    APPLIED.labels(projection, "applied").inc(result.applied)
    APPLIED.labels(projection, "duplicate").inc(result.duplicates)
    APPLIED.labels(projection, "parked").inc(result.parked)
    APPLIED.labels(projection, "dead").inc(result.dead)
    behind = 0
    for partition, offset in stored.items():
        lag = max(0, highwater.get(partition, offset) - offset)
        behind += lag
        LAG_EVENTS.labels(projection, str(partition)).set(lag)
    newest = max(result.newest_ms.values(), default=None)
    age = time.time() - newest / 1000 if newest is not None and behind else 0.0
    LAG_SECONDS.labels(projection).set(age)


async def count_dead_letters(conn: AsyncConnection[Any], version: Version) -> None:
    """Set the dead-letter and quarantine gauges from ``version``'s tables."""
    s = ident(version.schema_name)
    cur = await conn.execute(
        f"SELECT (SELECT count(*) FROM {s}.dead_letters), (SELECT count(*) FROM {s}.quarantine)"
    )
    row = await cur.fetchone()
    if row is not None:
        DEAD_LETTERS.labels(version.projection).set(row[0])
        QUARANTINED.labels(version.projection).set(row[1])


def serve(port: int) -> None:
    """Expose /metrics on ``port`` (a daemon thread)."""
    start_http_server(port)
