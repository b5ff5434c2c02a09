"""Waiting for a watermark without polling the database in a loop."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from query_api.consistency.signal import ProgressSignal


async def wait_for_watermark(
    read_watermark: Callable[[], Awaitable[int | None]],
    target: int,
    *,
    signal: ProgressSignal,
    projection: str,
    timeout_s: float,
    recheck_s: float,
) -> tuple[bool, int | None]:
    """Return ``(True, watermark)`` once ``read_watermark()`` is at least ``target``.

    Re-checks when the projection signals progress, and every ``recheck_s`` in
    case a notification was missed; gives up with ``(False, last watermark)``
    after ``timeout_s``. The database is read once per wake-up, never in a
    tight loop.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        woken = signal.current(projection)  # taken before the read: no lost wake-up
        watermark = await read_watermark()
        if watermark is not None and watermark >= target:
            return True, watermark
        remaining = deadline - loop.time()
        if remaining <= 0:
            return False, watermark
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(woken.wait(), min(remaining, recheck_s))
