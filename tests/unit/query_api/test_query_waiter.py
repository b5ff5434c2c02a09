"""Waiting for a watermark: wake-ups, fallback re-checks and the deadline (no I/O)."""

import asyncio

import pytest

from query_api.consistency import ProgressSignal, wait_for_watermark


class Watermark:
    def __init__(self, value: int | None) -> None:
        self.value = value
        self.reads = 0

    async def read(self) -> int | None:
        self.reads += 1
        return self.value


async def test_already_reached_returns_at_once_after_one_read() -> None:
    mark = Watermark(5)
    result = await wait_for_watermark(
        mark.read, 5, signal=ProgressSignal(), projection="p", timeout_s=1, recheck_s=1
    )
    assert result == (True, 5)
    assert mark.reads == 1


@pytest.mark.parametrize(
    "notified",
    [
        pytest.param("p", id="the-waited-projection"),
        pytest.param("p_test_1234", id="an-unknown-projection-wakes-everyone"),
    ],
)
async def test_a_notification_wakes_the_waiter_before_any_recheck(notified: str) -> None:
    mark, signal = Watermark(1), ProgressSignal()
    waiting = asyncio.create_task(
        wait_for_watermark(mark.read, 3, signal=signal, projection="p", timeout_s=30, recheck_s=30)
    )
    await asyncio.sleep(0)
    mark.value = 3
    signal.notify(notified)
    assert await asyncio.wait_for(waiting, 5) == (True, 3)
    assert mark.reads == 2  # one read per wake-up, not a loop


async def test_deadline_reports_the_last_watermark() -> None:
    mark = Watermark(None)
    result = await wait_for_watermark(
        mark.read, 1, signal=ProgressSignal(), projection="p", timeout_s=0.05, recheck_s=0.01
    )
    assert result == (False, None)
    assert mark.reads >= 2  # the fallback re-check ran


async def test_zero_wait_reads_once() -> None:
    mark = Watermark(0)
    assert await wait_for_watermark(
        mark.read, 1, signal=ProgressSignal(), projection="p", timeout_s=0, recheck_s=1
    ) == (False, 0)
    assert mark.reads == 1


def test_signal_replaces_the_event_it_fires() -> None:
    signal = ProgressSignal()
    first = signal.current("p")
    signal.notify("p")
    assert first.is_set()
    assert not signal.current("p").is_set()
