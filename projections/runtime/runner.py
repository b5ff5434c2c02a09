"""The consumer loop of one projection version.

Guarantees: offsets live in PostgreSQL only (Kafka group offsets are never
committed); on assignment each partition is sought to its stored offset
(``PartitionPositions``, which also decides which fetched records are taken); each
batch commits through ``BatchWriter`` (atomic with its offsets, fenced, gated).
A stop request finishes the batch in hand, then leaves the group. A batch
rejected by the fence re-seeks its partitions to the stored offsets.

While a batch commits, the next one is fetched and decoded (decoding is CPU in
this process, the commit mostly waits on PostgreSQL); it is committed only
after the first has settled, with the offsets the first stored as its fence,
and dropped if the first did not commit.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

from aiokafka import AIOKafkaConsumer, TopicPartition
from psycopg import AsyncConnection

from infra.db import libpq_dsn
from infra.telemetry import tracing
from projections.runtime import metrics
from projections.runtime.apply_tracing import traced_apply
from projections.runtime.batch import BatchResult, BatchWriter, DeadLetterSink, Fenced, Retired
from projections.runtime.decoding import Incoming
from projections.runtime.partition_positions import Ceiling, PartitionPositions
from projections.runtime.projection import Deployment
from projections.runtime.sql import use_array_literals
from projections.runtime.versions import Version
from projections.settings import DEFAULT_MAX_RECORDS

log = logging.getLogger(__name__)
Outcome = Literal["stopped", "retired"]


@dataclass(slots=True)
class _InFlight:
    """A batch being committed while the next one is fetched and decoded.

    The next batch starts where this one ends, so its commit's fence expects the
    offsets this one stores: it commits only after this one did (the loop
    settles each commit before starting the next). If this one is fenced, the
    next one is dropped uncommitted and the partitions of both re-sought; if it
    fails otherwise, the runner stops with the error and the supervisor starts
    over from the stored offsets.
    """

    task: "asyncio.Task[BatchResult]"
    expected: dict[int, int]


class ProjectionRunner:
    """Consumes the topic for one version until stopped or until the version is retired."""

    def __init__(
        self,
        deployment: Deployment,
        version: Version,
        database_url: str,
        bootstrap_servers: str,
        sink: DeadLetterSink,
        *,
        max_records: int = DEFAULT_MAX_RECORDS,
        idle_ms: int = 100,
        ceiling: Ceiling | None = None,
        on_batch: Callable[[BatchResult], None] | None = None,
    ) -> None:
        self.deployment, self.version = deployment, version
        self.dsn, self.bootstrap = libpq_dsn(database_url), bootstrap_servers
        self.writer = BatchWriter(deployment, version, sink)
        self.max_records, self.idle_ms = max_records, idle_ms
        self.on_batch = on_batch
        self.partitions = PartitionPositions(version, ceiling)

    @property
    def consumer(self) -> AIOKafkaConsumer | None:
        """The consumer while running; its one owner is the partition bookkeeping."""
        return self.partitions.consumer

    async def run(self, stop: asyncio.Event) -> Outcome:
        conn = await AsyncConnection.connect(self.dsn, autocommit=True)
        use_array_literals(conn)  # the batches' small arrays, cheaply
        seek_conn = await AsyncConnection.connect(self.dsn, autocommit=True)
        consumer = self.partitions.consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=self.version.consumer_group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_partition_fetch_bytes=8 * 1024 * 1024,
            # A big batch on a busy machine must not cost the group membership.
            session_timeout_ms=30_000,
            heartbeat_interval_ms=3_000,
            fetch_max_bytes=64 * 1024 * 1024,
        )
        self.partitions.seek_conn = seek_conn
        consumer.subscribe([self.version.topic], listener=self.partitions.listener())
        await consumer.start()
        try:
            return await self._loop(conn, stop)
        finally:
            await consumer.stop()
            await conn.close()
            await seek_conn.close()

    async def _loop(self, conn: AsyncConnection[Any], stop: asyncio.Event) -> Outcome:
        """Fetch and decode the next batch while the previous one commits (see ``_InFlight``)."""
        assert self.consumer is not None
        last_check = time.monotonic()
        await self._count_dead_letters(conn)
        flight: _InFlight | None = None
        try:
            while not stop.is_set():
                data = await self.consumer.getmany(timeout_ms=self.idle_ms, max_records=self.max_records)
                batch, expected = await self.partitions.collect(data)
                if flight is not None:
                    settled, flight = await self._settle(conn, flight, expected), None
                    if settled == "retired":
                        return "retired"
                    if settled == "fenced":
                        continue  # the batch just collected was discarded with it
                if not expected:
                    if time.monotonic() - last_check > 1.0:
                        last_check = time.monotonic()
                        if not await self._still_running(conn):
                            return "retired"
                    if self.partitions.ceiling is not None and data:
                        await asyncio.sleep(0.05)  # everything fetched is beyond the ceiling for now
                    continue
                flight = _InFlight(asyncio.create_task(self._commit(conn, batch, expected, data)), expected)
                metrics.observe_commit(flight.task, self.version.projection, len(batch))
            if flight is not None:  # stopping: finish the batch in hand
                settled, flight = await self._settle(conn, flight, {}), None
                if settled == "retired":
                    return "retired"
            return "stopped"
        finally:
            if flight is not None:  # leaving on an error: the batch may commit or not, but not half
                flight.task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await flight.task

    def _commit(
        self,
        conn: AsyncConnection[Any],
        batch: list[Incoming],
        expected: dict[int, int],
        fetched: dict[TopicPartition, list[Any]],
    ) -> Coroutine[Any, Any, BatchResult]:
        """The batch's commit; while tracing, inside its apply span (linked to its events' traces)."""
        committing = self.writer.commit(conn, batch, expected)
        return traced_apply(self.version, fetched, batch, committing) if tracing.on else committing

    async def _settle(
        self, conn: AsyncConnection[Any], flight: "_InFlight", collected: dict[int, int]
    ) -> Literal["committed", "fenced", "retired"]:
        """Wait for the commit in flight and take its offsets as the stored ones.

        If it was fenced, nothing of it committed and the batch collected meanwhile
        (``collected``: its partitions and start offsets) started from offsets that
        will never be stored: both are dropped and their partitions sought back to
        the stored offsets.
        """
        try:
            result = await flight.task
        except Fenced as fenced:
            # Nothing of the batch committed: every partition in it goes back to its stored offset,
            # not only the fenced ones, or the consumer would carry on past uncommitted records.
            log.info("%s: %s; re-seeking", self.version.schema_name, fenced)
            ours = self.partitions.expected
            await self.partitions.seek([p for p in {*flight.expected, *collected} if p in ours])
            return "fenced"
        except Retired:
            return "retired"
        self.partitions.settled(result.next_offsets, flight.expected)
        self._observe(result)
        if result.dead or result.parked:
            await self._count_dead_letters(conn)
        return "committed"

    async def _count_dead_letters(self, conn: AsyncConnection[Any]) -> None:
        await metrics.count_dead_letters(conn, self.version)

    async def _still_running(self, conn: AsyncConnection[Any]) -> bool:
        cur = await conn.execute(
            "SELECT state FROM projection_meta.versions WHERE projection = %s AND version = %s",
            (self.version.projection, self.version.version),
        )
        row = await cur.fetchone()
        return row is not None and row[0] in ("building", "live")

    def _observe(self, result: BatchResult) -> None:
        positions = self.partitions
        metrics.observe_batch(self.version.projection, result, positions.expected, positions.highwater)
        if self.on_batch is not None:
            self.on_batch(result)
