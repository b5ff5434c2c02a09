"""Waiting in a test for something another process does: poll until it holds, within a bound.

The bound is a limit on waiting, never a timing assertion: a loaded machine may
take most of it. A failure names what was awaited and the last value seen, so
that a test that never got there says where it stopped.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def first_that(
    read: Callable[[], Awaitable[T]], holds: Callable[[T], bool], *, within: float, every: float, what: str
) -> T:
    """The first value of ``read()`` for which ``holds`` is true, read every ``every`` seconds; an
    AssertionError naming ``what`` and the last value once ``within`` seconds have passed."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        value = await read()
        if holds(value):
            return value
        assert asyncio.get_running_loop().time() < deadline, f"{what} never got there: {value!r}"
        await asyncio.sleep(every)


async def eventually(check: Callable[[], bool], *, within: float, every: float, what: str) -> None:
    """Wait until ``check()`` (quick, not blocking) is true; fails as :func:`first_that` does."""

    async def read() -> bool:
        return check()

    await first_that(read, bool, within=within, every=every, what=what)
