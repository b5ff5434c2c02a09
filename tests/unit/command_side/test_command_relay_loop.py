"""Waking the relay, without I/O: the notifier coalesces and never fails; the relay drains, then sleeps."""

import asyncio
from typing import Any, cast

import pytest

from command_side.handlers import runner
from command_side.settings import CommandSettings
from command_side.worker.relay import OutboxRelay
from command_side.worker.wakeup import OutboxNotifier

DATABASE_URL = "postgresql://nobody@127.0.0.1:9/none"  # never connected to


class FakeNotifier(OutboxNotifier):
    """Sends go to a list; each waits for ``gate`` and may fail as scripted."""

    def __init__(self, failures: int = 0) -> None:
        super().__init__(DATABASE_URL, "boxoffice_outbox")
        self.gate = asyncio.Event()
        self.gate.set()
        self.in_flight = 0
        self.max_in_flight = 0
        self.attempts = 0
        self.failures_left = failures

    async def _send(self) -> None:
        self.attempts += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await self.gate.wait()
            if self.failures_left:
                self.failures_left -= 1
                raise OSError("connection lost")
        finally:
            self.in_flight -= 1


async def _settled(notifier: OutboxNotifier) -> None:
    while notifier._task is not None:
        await asyncio.sleep(0.01)


async def test_notifications_during_a_send_coalesce_into_one_more() -> None:
    notifier = FakeNotifier()
    notifier.gate.clear()
    notifier.notify()
    await asyncio.sleep(0)  # the first send is in flight
    for _ in range(50):
        notifier.notify()
    notifier.gate.set()
    await _settled(notifier)
    assert (notifier.sent, notifier.max_in_flight) == (2, 1)
    notifier.notify()  # idle again: a new commit sends at once
    await _settled(notifier)
    assert notifier.sent == 3


async def test_a_failed_notify_never_raises_and_is_retried_once() -> None:
    notifier = FakeNotifier(failures=1)
    notifier.notify()
    await _settled(notifier)
    assert (notifier.failed, notifier.sent) == (1, 1)


async def test_an_outage_drops_the_notification_instead_of_retrying_forever() -> None:
    notifier = FakeNotifier(failures=100)
    notifier.notify()
    await asyncio.wait_for(_settled(notifier), 5)
    assert (notifier.attempts, notifier.sent) == (2, 0)
    await notifier.aclose()


async def test_notify_outside_an_event_loop_is_a_no_op() -> None:
    notifier = FakeNotifier()
    await asyncio.to_thread(notifier.notify)  # no running loop in that thread
    assert notifier.attempts == 0


def test_a_failing_commit_hook_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    class SyncEngine:  # weakly referenceable, like sqlalchemy's Engine
        pass

    class Engine:
        sync_engine = SyncEngine()

    engine = cast(Any, Engine())

    def broken() -> None:
        raise RuntimeError("boom")

    runner.call_after_events_commit(engine, broken)
    runner._events_committed(engine)
    runner.call_after_events_commit(engine, None)
    runner._events_committed(engine)
    assert [r.message for r in caplog.records] == ["post-commit hook failed (the command committed)"]


class ScriptedRelay(OutboxRelay):
    """relay_once returns the scripted counts (then 0) and records when it ran; ``acking``: it leaves
    what it published to the next pass's mark, as the real pass does (else it marks nothing)."""

    def __init__(
        self, fallback: float, counts: list[int], *, acking: bool = False, linger: float = 0.05
    ) -> None:
        settings = CommandSettings(
            database_url=DATABASE_URL,
            relay_listen=False,
            relay_fallback_poll_seconds=fallback,
            relay_mark_linger_seconds=linger,
        )
        super().__init__(settings, cast(Any, None))
        self.counts = counts
        self.acking = acking
        self.runs: list[float] = []

    async def relay_once(self) -> int:
        self.runs.append(asyncio.get_running_loop().time())
        count = self.counts.pop(0) if self.counts else 0
        self._acked = list(range(count)) if self.acking else []
        return count


async def _running(relay: OutboxRelay, seconds: float) -> None:
    task = asyncio.create_task(relay.run())
    await asyncio.sleep(seconds)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_the_relay_drains_a_burst_then_sleeps_until_the_fallback_poll() -> None:
    relay = ScriptedRelay(fallback=0.3, counts=[1000, 1000, 7])
    await _running(relay, 0.45)
    # three non-empty passes back to back, no read to find the outbox empty after the partial
    # batch (no wake-up came during it), then one fallback pass
    assert len(relay.runs) == 4
    assert relay.runs[2] - relay.runs[0] < 0.1
    assert relay.runs[3] - relay.runs[2] >= 0.25


async def test_an_unmarked_batch_is_marked_after_the_linger_when_no_commit_comes() -> None:
    relay = ScriptedRelay(fallback=30, counts=[7], acking=True, linger=0.1)
    await _running(relay, 1.0)
    # the batch, then a pass after the linger, not the 30 s fallback (it marks the batch and reads
    # nothing), then asleep
    assert len(relay.runs) == 2
    assert relay.runs[1] - relay.runs[0] >= 0.09


async def test_a_wake_up_starts_a_pass_at_once_and_one_during_a_pass_is_not_lost() -> None:
    relay = ScriptedRelay(fallback=30, counts=[])
    task = asyncio.create_task(relay.run())
    await asyncio.sleep(0.05)
    assert len(relay.runs) == 1  # the first pass, then asleep
    relay.wake()
    await asyncio.sleep(0.05)
    assert len(relay.runs) == 2

    gate = asyncio.Event()
    plain = ScriptedRelay.relay_once

    async def slow_pass(self: ScriptedRelay) -> int:
        count = await plain(self)
        await gate.wait()
        return count

    relay.relay_once = slow_pass.__get__(relay)  # type: ignore[method-assign]
    relay.wake()
    await asyncio.sleep(0.05)
    assert len(relay.runs) == 3  # in a pass now
    relay.wake()  # a commit notified while the pass reads
    gate.set()
    await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert len(relay.runs) == 4
