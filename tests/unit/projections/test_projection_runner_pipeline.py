"""The runner's loop decodes the next batch while the previous one commits.

With a fake consumer and writer: the next batch is fenced on the offsets the
previous one stores, commits only after it, and is dropped (its partitions
sought back) when the previous one is fenced; a stop finishes the batch in hand.
"""

import asyncio
import gc
from dataclasses import dataclass
from typing import Any

import pytest
from aiokafka import TopicPartition

from contracts import encode_event
from projections.runtime.batch import BatchResult, Fenced, _offsets
from projections.runtime.decoding import Incoming
from projections.runtime.gc_pause import GcPause
from projections.runtime.projection import Deployment
from projections.runtime.runner import ProjectionRunner
from projections.runtime.versions import Version
from projections.seat_availability import SeatAvailability
from projections.testing import Simulation

TOPIC = "t"


@dataclass
class _Msg:
    offset: int
    key: bytes | None
    value: bytes
    timestamp: int = 0


class _Consumer:
    """Hands out the given fetches in turn (then nothing), and records seeks."""

    def __init__(self, fetches: list[dict[int, list[_Msg]]]) -> None:
        self.fetches = fetches
        self.seeks: list[tuple[int, int]] = []
        self.writer: _Writer | None = None
        self.fetched_during_commits = 0
        self.revoked: set[TopicPartition] = set()

    async def getmany(self, timeout_ms: int, max_records: int) -> dict[TopicPartition, list[_Msg]]:
        await asyncio.sleep(0)
        if not self.fetches:
            return {}
        if self.writer is not None and self.writer.in_flight:
            self.fetched_during_commits += 1
        return {TopicPartition(TOPIC, p): msgs for p, msgs in self.fetches.pop(0).items()}

    def assignment(self) -> set[TopicPartition]:
        return {TopicPartition(TOPIC, p) for p in range(12)} - self.revoked

    def highwater(self, tp: TopicPartition) -> int:
        if tp not in self.assignment():
            raise AssertionError("Partition is not assigned")  # as aiokafka's IllegalStateError
        return 0

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.seeks.append((tp.partition, offset))


class _Writer:
    """Stores offsets like the real fence: a batch commits only from the stored offsets."""

    def __init__(self, stored: dict[int, int], fence_first: bool = False) -> None:
        self.stored = stored
        self.fence_first = fence_first
        self.commits: list[dict[int, int]] = []
        self.in_flight = 0

    async def commit(self, conn: Any, batch: list[Incoming], expected: dict[int, int]) -> BatchResult:
        self.in_flight += 1
        assert self.in_flight == 1, "two commits at once"
        try:
            for _ in range(5):  # the round trips of a commit: the loop fetches meanwhile
                await asyncio.sleep(0)
            if self.fence_first:
                self.fence_first = False
                raise Fenced(sorted(expected))
            if any(self.stored[p] != o for p, o in expected.items()):
                raise Fenced(sorted(expected))
            result = _offsets(batch, expected)
            self.stored.update(result.next_offsets)
            self.commits.append(dict(expected))
            return result
        finally:
            self.in_flight -= 1


def _runner(fetches: list[dict[int, list[_Msg]]], writer: _Writer) -> tuple[ProjectionRunner, _Consumer]:
    deployment = Deployment(SeatAvailability(), "unit", TOPIC)
    version = Version("unit", 1, "proj_unit_v1", "live", "g", TOPIC, "read")
    runner = ProjectionRunner(deployment, version, "postgresql://x/y", "k:1", sink=None)  # type: ignore[arg-type]
    consumer = _Consumer(fetches)
    consumer.writer = writer
    runner.partitions.consumer = consumer
    runner.writer = writer  # type: ignore[assignment]
    positions = runner.partitions

    async def seek(partitions: list[int]) -> None:
        for p in partitions:
            consumer.seek(TopicPartition(TOPIC, p), writer.stored[p])
            positions.expected[p] = positions.position[p] = writer.stored[p]

    async def nothing(conn: Any) -> None:
        return None

    async def running(conn: Any) -> bool:
        return True

    positions.seek = seek  # type: ignore[method-assign]
    runner._count_dead_letters = nothing  # type: ignore[method-assign]
    runner._still_running = running  # type: ignore[method-assign]
    for p in writer.stored:
        positions.expected[p] = positions.position[p] = writer.stored[p]
    return runner, consumer


def _messages(n: int) -> list[_Msg]:
    sim = Simulation(5, shows=2)
    while len(sim.events) < n:
        sim.run(n)
    return [_Msg(i, None, encode_event(e)) for i, e in enumerate(sim.events[:n])]


async def _run(runner: ProjectionRunner, batches: int) -> str:
    stop = asyncio.Event()
    done: list[BatchResult] = []

    def on_batch(result: BatchResult) -> None:
        done.append(result)
        if len(done) == batches:
            stop.set()

    runner.on_batch = on_batch
    return await asyncio.wait_for(runner._loop(None, stop), 10)  # type: ignore[arg-type]


async def test_the_next_batch_is_fenced_on_the_offsets_the_previous_one_stores() -> None:
    msgs = _messages(60)
    writer = _Writer({0: 0, 1: 0})
    fetches = [{0: msgs[0:20], 1: msgs[0:10]}, {0: msgs[20:40]}, {0: msgs[40:60], 1: msgs[10:30]}]
    runner, consumer = _runner(fetches, writer)
    assert await _run(runner, 3) == "stopped"
    assert consumer.fetched_during_commits == 2  # batches 2 and 3 were fetched while 1 and 2 committed
    assert writer.commits == [{0: 0, 1: 0}, {0: 20}, {0: 40, 1: 10}]
    assert writer.stored == {0: 60, 1: 30}
    assert runner.partitions.expected == {0: 60, 1: 30}


async def test_a_fenced_batch_drops_the_one_decoded_meanwhile_and_seeks_both_back() -> None:
    msgs = _messages(40)
    writer = _Writer({0: 0, 1: 0}, fence_first=True)
    # The first batch is fenced; the second (partition 1) was collected while it committed.
    fetches = [{0: msgs[0:20]}, {1: msgs[0:20]}, {0: msgs[0:20], 1: msgs[0:20]}, {0: msgs[20:40]}]
    runner, consumer = _runner(fetches, writer)
    assert await _run(runner, 2) == "stopped"
    assert sorted(consumer.seeks) == [(0, 0), (1, 0)]
    assert writer.commits == [{0: 0, 1: 0}, {0: 20}]
    assert writer.stored == {0: 40, 1: 20}


async def test_a_stop_finishes_the_batch_in_flight() -> None:
    msgs = _messages(20)
    writer = _Writer({0: 0})
    runner, _ = _runner([{0: msgs}], writer)
    stop = asyncio.Event()
    task = asyncio.create_task(runner._loop(None, stop))  # type: ignore[arg-type]
    while not writer.in_flight:
        await asyncio.sleep(0)
    stop.set()
    assert await asyncio.wait_for(task, 10) == "stopped"
    assert writer.stored == {0: 20}


async def test_a_partition_revoked_between_fetch_and_collect_is_left_to_its_new_owner() -> None:
    """A rebalance runs while the loop awaits (the ceiling, a commit): records fetched for a
    partition no longer assigned are not applied, whatever the position still says."""
    msgs = _messages(40)
    writer = _Writer({0: 0, 1: 0})
    runner, consumer = _runner([], writer)
    consumer.revoked = {TopicPartition(TOPIC, 1)}
    data = {TopicPartition(TOPIC, 0): msgs[0:20], TopicPartition(TOPIC, 1): msgs[0:20]}
    batch, expected = await runner.partitions.collect(data)
    assert expected == {0: 0}
    assert {i.record.partition for i in batch} == {0}
    assert runner.partitions.position == {0: 20, 1: 0}


@pytest.mark.parametrize("enabled", [True, False])
def test_gc_pauses_nest_and_restore_the_collector(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with GcPause.during():
            assert not gc.isenabled()
            with GcPause.during():
                assert not gc.isenabled()
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


async def test_records_past_where_the_batches_end_are_sought_back_not_applied() -> None:
    """After a rebalance a fetch may come from a position older than the last seek: records that
    begin past the partition's position would skip the ones between, so they are dropped and the
    partition sought back; the same gap fetched again from the position is the log's and taken."""
    msgs = _messages(40)
    writer = _Writer({0: 0, 1: 0})
    runner, consumer = _runner([], writer)
    ahead = {TopicPartition(TOPIC, 0): msgs[0:10], TopicPartition(TOPIC, 1): msgs[25:35]}
    batch, expected = await runner.partitions.collect(ahead)
    assert expected == {0: 0}
    assert {i.record.partition for i in batch} == {0}
    assert consumer.seeks == [(1, 0)]
    assert runner.partitions.position == {0: 10, 1: 0}
    batch, expected = await runner.partitions.collect({TopicPartition(TOPIC, 1): msgs[25:35]})
    assert expected == {1: 0}
    assert [i.record.offset for i in batch] == list(range(25, 35))
    assert runner.partitions.position[1] == 35


async def test_a_gap_seen_before_a_rebalance_is_not_taken_after_it() -> None:
    """A gap remembered for a partition is forgotten with the partition: once it is assigned
    again, records past its position are sought back again, not taken as the log's gap."""
    msgs = _messages(40)
    runner, consumer = _runner([], _Writer({0: 0, 1: 0}))
    await runner.partitions.collect({TopicPartition(TOPIC, 1): msgs[25:35]})
    assert consumer.seeks == [(1, 0)]
    runner.partitions.revoke([1])
    runner.partitions.position[1] = 0  # assigned again and sought to its stored offset
    batch, _ = await runner.partitions.collect({TopicPartition(TOPIC, 1): msgs[25:35]})
    assert batch == []
    assert consumer.seeks == [(1, 0), (1, 0)]
