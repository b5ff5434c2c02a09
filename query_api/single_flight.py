"""Concurrent builds of one body share the first: N readers of a just-changed resource cost one build.

A body's key is its ETag (projection version and variant), so whoever builds it
builds exactly what every waiter asked for. If the builder fails or is
cancelled (its client went away), each waiter builds for itself, so one
caller's failure never becomes another's.
"""

import asyncio
from collections.abc import Awaitable, Callable


class SingleFlight:
    """One build per key at a time; used from the event loop only (no locking needed)."""

    def __init__(self) -> None:
        self._running: dict[str, asyncio.Future[bytes]] = {}

    def running(self, key: str) -> asyncio.Future[bytes] | None:
        return self._running.get(key)

    async def build(self, key: str, load: Callable[[], Awaitable[bytes]]) -> bytes:
        """``load()``'s bytes, or those of the build of ``key`` already under way."""
        running = self._running.get(key)
        if running is not None:
            body = await wait_for(running)
            if body is not None:
                return body
            return await load()
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
            body = await load()
        except BaseException:
            future.cancel()  # waiters build for themselves
            raise
        finally:
            del self._running[key]
        future.set_result(body)
        return body


async def wait_for(running: asyncio.Future[bytes]) -> bytes | None:
    """The build's bytes, or None when it failed (then build for yourself)."""
    try:
        return await asyncio.shield(running)
    except asyncio.CancelledError:
        if running.cancelled():
            return None
        raise  # this caller was cancelled itself
