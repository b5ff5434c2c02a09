"""The consumer loop of one projection version.

Guarantees: offsets live in PostgreSQL only (Kafka group offsets are never
committed); on assignment each partition is sought to its stored offset; each
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
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from psycopg import AsyncConnection

from infra.db import libpq_dsn
from infra.telemetry import tracing
from projections.runtime import metrics
from projections.runtime.apply_tracing import traced_apply
from projections.runtime.batch import BatchResult, BatchWriter, DeadLetterSink, Fenced, Retired
from projections.runtime.decoding import Incoming, Record, decode
from projections.runtime.gc_pause import GcPause
from projections.runtime.projection import Deployment
from projections.runtime.sql import ident, use_array_literals
from projections.runtime.versions import Version
from projections.settings import DEFAULT_MAX_RECORDS

log = logging.getLogger(__name__)
Outcome = Literal["stopped", "retired"]
# Offsets a replay may not pass yet (the serving version's position), per partition.
Ceiling = Callable[[], Awaitable[dict[int, int]]]
_DECODE_STEP = 256  # records decoded between two yields to the event loop


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, runner: "ProjectionRunner") -> None:
        self.runner = runner

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        for tp in revoked:
            self.runner.expected.pop(tp.partition, None)
            self.runner.position.pop(tp.partition, None)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        await self.runner.seek([tp.partition for tp in assigned])


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
        self.ceiling, self.on_batch = ceiling, on_batch
        # Per partition: the stored offset (as of the last settled batch), and where the records
        # taken so far end (past the stored offset while a batch is in flight).
        self.expected: dict[int, int] = {}
        self.position: dict[int, int] = {}
        self.highwater: dict[int, int] = {}
        self._gaps: dict[int, tuple[int, int]] = {}  # partition -> (start, first) of a gap sought back once
        self.consumer: AIOKafkaConsumer | None = None
        self._seek_conn: AsyncConnection[Any] | None = None
        self._seek_lock = asyncio.Lock()  # the rebalance listener and the loop both seek

    async def seek(self, partitions: list[int]) -> None:
        """Seek ``partitions`` to their stored offsets (creating checkpoints at 0 where missing)."""
        assert self._seek_conn is not None
        assert self.consumer is not None
        s = ident(self.version.schema_name)
        async with self._seek_lock, self._seek_conn.transaction():
            await self._seek_conn.execute(
                f"INSERT INTO {s}.checkpoints (partition, next_offset) SELECT unnest(%s::int[]), 0"
                " ON CONFLICT DO NOTHING",
                (partitions,),
            )
            cur = await self._seek_conn.execute(
                f"SELECT partition, next_offset FROM {s}.checkpoints WHERE partition = ANY(%s)", (partitions,)
            )
            rows = await cur.fetchall()
        assigned = {tp.partition for tp in self.consumer.assignment()}
        for partition, offset in rows:
            if partition in assigned:
                self.consumer.seek(TopicPartition(self.version.topic, partition), offset)
                self.expected[partition] = offset
                self.position[partition] = offset

    async def run(self, stop: asyncio.Event) -> Outcome:
        conn = await AsyncConnection.connect(self.dsn, autocommit=True)
        use_array_literals(conn)  # the batches' small arrays, cheaply
        self._seek_conn = await AsyncConnection.connect(self.dsn, autocommit=True)
        self.consumer = AIOKafkaConsumer(
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
        self.consumer.subscribe([self.version.topic], listener=_Listener(self))
        await self.consumer.start()
        try:
            return await self._loop(conn, stop)
        finally:
            await self.consumer.stop()
            await conn.close()
            await self._seek_conn.close()

    async def _loop(self, conn: AsyncConnection[Any], stop: asyncio.Event) -> Outcome:
        """Fetch and decode the next batch while the previous one commits (see ``_InFlight``)."""
        assert self.consumer is not None
        last_check = time.monotonic()
        await self._count_dead_letters(conn)
        flight: _InFlight | None = None
        try:
            while not stop.is_set():
                data = await self.consumer.getmany(timeout_ms=self.idle_ms, max_records=self.max_records)
                batch, expected = await self._collect(data)
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
                    if self.ceiling is not None and data:
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
            await self.seek([p for p in {*flight.expected, *collected} if p in self.expected])
            return "fenced"
        except Retired:
            return "retired"
        for partition, offset in result.next_offsets.items():
            if self.expected.get(partition) == flight.expected[partition]:
                self.expected[partition] = offset
        self._observe(result)
        if result.dead or result.parked:
            await self._count_dead_letters(conn)
        return "committed"

    async def _collect(self, data: dict[TopicPartition, list[Any]]) -> tuple[list[Incoming], dict[int, int]]:
        """The records to apply next: only of partitions still ours, from where the batches already
        taken end (``position``) on, and below the ceiling when there is one."""
        assert self.consumer is not None
        ceiling = await self.ceiling() if self.ceiling is not None and data else {}
        batch: list[Incoming] = []
        expected: dict[int, int] = {}
        for tp, records in data.items():
            partition = tp.partition
            start = self.position.get(partition)
            # Revoked since the fetch (a rebalance runs while this awaits): no longer ours to apply.
            if start is None or tp not in self.consumer.assignment():
                continue
            self.highwater[partition] = self.consumer.highwater(tp) or 0
            limit = ceiling.get(partition, 0) if self.ceiling is not None else None
            if records and records[0].offset >= start and (limit is None or records[-1].offset < limit):
                kept = records  # the common case: all of them (a partition's records come in offset order)
            else:
                kept = [r for r in records if r.offset >= start and (limit is None or r.offset < limit)]
            if limit is not None and len(kept) < len(records) and records[-1].offset >= limit:
                self.consumer.seek(tp, max(limit, start))  # fetch the rest again once allowed
            if kept and not self._continues(tp, start, kept[0].offset):
                continue
            if kept:
                expected[partition] = start
                self.position[partition] = kept[-1].offset + 1
                with GcPause.during():
                    for i in range(0, len(kept), _DECODE_STEP):
                        if i:  # decoding is CPU-bound: let heartbeats and the commit in flight through
                            await asyncio.sleep(0)
                        batch += [
                            decode(Record(partition, r.offset, r.key, r.value, r.timestamp))
                            for r in kept[i : i + _DECODE_STEP]
                        ]
        return batch, expected

    def _continues(self, tp: TopicPartition, start: int, first: int) -> bool:
        """Whether records of ``tp`` beginning at ``first`` take up where its batches end (``start``).

        Past ``start``, they may come from a fetch position older than the last seek (a
        rebalance), and applying them would skip the records between: the partition is sought
        back to ``start`` and the records dropped. A gap that a fetch from ``start`` itself
        returns again is the log's own (offsets no record holds) and is taken.
        """
        assert self.consumer is not None
        partition = tp.partition
        if first == start or self._gaps.get(partition) == (start, first):
            self._gaps.pop(partition, None)
            return True
        name = self.version.schema_name
        log.info("%s: partition %d fetched from %d, not %d; re-seeking", name, partition, first, start)
        self._gaps[partition] = (start, first)
        self.consumer.seek(tp, start)
        return False

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
        metrics.observe_batch(self.version.projection, result, self.expected, self.highwater)
        if self.on_batch is not None:
            self.on_batch(result)
