"""A long-running process stops on SIGINT or SIGTERM by finishing its work in hand, not mid-step.

The command worker, the event-log follower, the demo and the benchmarks' servers
each run until asked to stop: they take a ``stop`` event and return once it is
set. :func:`until_signalled` is how a process's entry point sets that event on
either signal (Ctrl-C, or the supervisor's SIGTERM), so that a signal never
kills it between two statements of a step.
"""

import asyncio
import signal
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def set_on_stop_signals(stop: asyncio.Event) -> None:
    """Set ``stop`` when the process gets SIGINT or SIGTERM (handlers of the running loop, which
    must run in the main thread, as ``asyncio.run`` from an entry point does)."""
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)


async def until_signalled(run: Callable[[asyncio.Event], Awaitable[T]]) -> T:
    """``run(stop)``, with ``stop`` set on SIGINT or SIGTERM; what ``run`` returns."""
    stop = asyncio.Event()
    set_on_stop_signals(stop)
    return await run(stop)
