"""Where a runner stands in each partition it is assigned, and which fetched records it takes next.

Guarantees: on assignment each partition is sought to its stored offset (a
checkpoint at 0 created where missing); a revoked partition is forgotten at
once, so records fetched for it before the rebalance are never taken; records
are taken only from where the batches already taken end (``position``) on, and
below the ceiling when there is one; records that begin past that position (a
fetch from a position older than the last seek) are dropped and the partition
sought back. ``expected`` is the stored offset as of the last settled batch, the
fence the next commit expects.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from psycopg import AsyncConnection

from projections.runtime.decoding import Incoming, Record, decode
from projections.runtime.gc_pause import GcPause
from projections.runtime.sql import ident
from projections.runtime.versions import Version

log = logging.getLogger(__name__)
# Offsets a replay may not pass yet (the serving version's position), per partition.
Ceiling = Callable[[], Awaitable[dict[int, int]]]
_DECODE_STEP = 256  # records decoded between two yields to the event loop


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, positions: "PartitionPositions") -> None:
        self.positions = positions

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self.positions.revoke([tp.partition for tp in revoked])

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        await self.positions.seek([tp.partition for tp in assigned])


class PartitionPositions:
    """The per-partition bookkeeping of one runner: stored offsets, positions, highwaters.

    ``consumer`` and ``seek_conn`` are the runner's, set when it starts.
    """

    def __init__(self, version: Version, ceiling: Ceiling | None = None) -> None:
        self.version, self.ceiling = version, ceiling
        # Per partition: the stored offset (as of the last settled batch), and where the records
        # taken so far end (past the stored offset while a batch is in flight).
        self.expected: dict[int, int] = {}
        self.position: dict[int, int] = {}
        self.highwater: dict[int, int] = {}
        self._gaps: dict[int, tuple[int, int]] = {}  # partition -> (start, first) of a gap sought back once
        self.consumer: AIOKafkaConsumer | None = None
        self.seek_conn: AsyncConnection[Any] | None = None
        self._seek_lock = asyncio.Lock()  # the rebalance listener and the loop both seek

    def listener(self) -> ConsumerRebalanceListener:
        """The rebalance listener to subscribe with: forgets revoked partitions, seeks assigned ones."""
        return _Rebalance(self)

    def revoke(self, partitions: list[int]) -> None:
        for partition in partitions:
            self.expected.pop(partition, None)
            self.position.pop(partition, None)
            self._gaps.pop(partition, None)

    async def seek(self, partitions: list[int]) -> None:
        """Seek ``partitions`` to their stored offsets (creating checkpoints at 0 where missing)."""
        assert self.seek_conn is not None
        assert self.consumer is not None
        s = ident(self.version.schema_name)
        async with self._seek_lock, self.seek_conn.transaction():
            await self.seek_conn.execute(
                f"INSERT INTO {s}.checkpoints (partition, next_offset) SELECT unnest(%s::int[]), 0"
                " ON CONFLICT DO NOTHING",
                (partitions,),
            )
            cur = await self.seek_conn.execute(
                f"SELECT partition, next_offset FROM {s}.checkpoints WHERE partition = ANY(%s)", (partitions,)
            )
            rows = await cur.fetchall()
        assigned = {tp.partition for tp in self.consumer.assignment()}
        for partition, offset in rows:
            if partition in assigned:
                self.consumer.seek(TopicPartition(self.version.topic, partition), offset)
                self.expected[partition] = offset
                self.position[partition] = offset

    def settled(self, next_offsets: dict[int, int], started: dict[int, int]) -> None:
        """A batch that ``started`` at these offsets committed: its ``next_offsets`` are the stored ones
        (of the partitions that did not move meanwhile)."""
        for partition, offset in next_offsets.items():
            if self.expected.get(partition) == started[partition]:
                self.expected[partition] = offset

    async def collect(self, data: dict[TopicPartition, list[Any]]) -> tuple[list[Incoming], dict[int, int]]:
        """The records to apply next, decoded, and each of their partitions' start offset: only of
        partitions still ours, from where the batches already taken end (``position``) on, and below
        the ceiling when there is one."""
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
        returns again is the log's own (offsets no record holds) and is taken. This
        costs one fetch again per gap, so it assumes a topic with gaps only now and then
        (the relay's idempotent, non-transactional producer, no compaction), not a
        transaction marker after every few records.
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
