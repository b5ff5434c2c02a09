"""Prometheus metrics of the command worker: outbox backlog, relay latency and leadership, expiries.

Each worker has its own registry, served on ``worker_metrics_port`` (``MetricsServer``).
The backlog is sampled by one indexed query every ``BACKLOG_SAMPLE_SECONDS``
(on leader and standby alike, so any worker serving /metrics reports it), and the leader also
zeroes it after every pass that drained the outbox; nothing is queried per event.
"""

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from command_side.worker.outbox_rows import StoredEvent

log = logging.getLogger(__name__)
BACKLOG_SAMPLE_SECONDS = 5.0
# Commit -> acked is milliseconds when all is well, seconds to minutes in an outage.
PUBLISH_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
EXPIRY_KINDS = ("hold", "order")
# Both from the partial index ``outbox_unpublished``: the count scans only unpublished rows,
# the oldest is its first entry.
_BACKLOG = (
    "SELECT (SELECT count(*) FROM write_model.outbox WHERE published_at IS NULL),"
    " (SELECT extract(epoch FROM clock_timestamp() - occurred_at) FROM write_model.outbox"
    "  WHERE published_at IS NULL ORDER BY position LIMIT 1)"
)


class WorkerMetrics:
    """The worker's metric objects, in ``registry``; label children are bound once here."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.backlog_rows = Gauge(
            "boxoffice_outbox_backlog_rows",
            "Outbox rows committed but not yet published.",
            registry=self.registry,
        )
        self.backlog_age = Gauge(
            "boxoffice_outbox_backlog_age_seconds",
            "Age of the oldest unpublished outbox row (0 when none).",
            registry=self.registry,
        )
        self.publish_seconds = Histogram(
            "boxoffice_relay_publish_seconds",
            "Per event: from its occurred_at (its command's transaction start, milliseconds before the "
            "commit) to the broker's ack.",
            buckets=PUBLISH_BUCKETS,
            registry=self.registry,
        )
        self.published = Counter(
            "boxoffice_relay_published_events", "Events published and acked.", registry=self.registry
        )
        self.passes = Counter(
            "boxoffice_relay_passes",
            "Relay passes: batches published and reads that found the outbox empty.",
            registry=self.registry,
        )
        self.leader = Gauge(
            "boxoffice_relay_leader",
            "1 while this worker holds the relay leader lock.",
            registry=self.registry,
        )
        expiries = Counter(
            "boxoffice_expiries", "Holds and orders expired, by kind.", ["kind"], registry=self.registry
        )
        self.expiries = {kind: expiries.labels(kind) for kind in EXPIRY_KINDS}

    def relayed(self, batch: Sequence[StoredEvent], drained: bool) -> None:
        """A batch was acked; ``drained``: it was the whole backlog as of its read."""
        now = datetime.now(UTC)
        for event in batch:
            if event.occurred_at is not None:
                self.publish_seconds.observe(max(0.0, (now - event.occurred_at).total_seconds()))
        self.published.inc(len(batch))
        self.passes.inc()
        if drained:
            self.backlog_rows.set(0)
            self.backlog_age.set(0)

    def expired(self, kind: str) -> None:
        self.expiries[kind].inc()

    async def sample_backlog(self, engine: AsyncEngine) -> None:
        """Read the backlog every ``BACKLOG_SAMPLE_SECONDS`` until cancelled (a failure keeps the last)."""
        while True:
            try:
                async with engine.connect() as conn:
                    rows, age = (await conn.execute(text(_BACKLOG))).one()
                self.backlog_rows.set(rows)
                self.backlog_age.set(float(age or 0))
            except Exception as error:
                log.debug("cannot sample the outbox backlog: %s", error)
            await asyncio.sleep(BACKLOG_SAMPLE_SECONDS)


class MetricsServer:
    """``/metrics`` of one registry on a port, in a daemon thread; ``close()`` stops it."""

    def __init__(self, registry: CollectorRegistry, port: int) -> None:
        self._server: WSGIServer | None = None
        try:
            self._server, _ = start_http_server(port, registry=registry)  # the thread ends with shutdown()
        except OSError as error:  # the relay matters more than its metrics: run without them
            log.error("cannot serve worker metrics on port %d (%s); running without them", port, error)

    def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
