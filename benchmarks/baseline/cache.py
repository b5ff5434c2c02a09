"""The replaced design's in-process TTL cache: one entry per key, computed on a miss.

Like the cache it models, it has no single flight: concurrent misses of one key
each run the query, and an entry is served until its TTL passes, however the
data changed meanwhile (that is where the baseline's staleness comes from).
"""

import time
from collections.abc import Awaitable, Callable


class TtlCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: dict[str, tuple[float, bytes]] = {}
        self._clock = clock
        self.hits = 0
        self.misses = 0

    async def get(self, key: str, ttl: float, compute: Callable[[], Awaitable[bytes]]) -> bytes:
        """The cached body of ``key`` while younger than ``ttl`` seconds, else a fresh one (stored)."""
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            self.hits += 1
            return entry[1]
        self.misses += 1
        body = await compute()
        if ttl > 0:
            self._entries[key] = (self._clock() + ttl, body)
        return body
