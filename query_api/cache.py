"""A small in-process cache of response bodies, bounded by bytes, least recently used out.

Keys are ETags derived from projection versions and watermarks, so an entry is
never stale: a changed read model yields a different key. Single-threaded use
from the event loop; no locking needed.

``hits`` counts lookups that found a body (each answers a request from the
cache), ``misses`` the bodies built from the database and offered to ``put``
(once per build: a request that found nothing and waited for a build under way
is neither); plain integers, read by the metrics at scrape time.
"""

from collections import OrderedDict


class BodyCache:
    """Maps an ETag to the exact response bytes it was computed for."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> bytes | None:
        body = self._entries.get(key)
        if body is not None:
            self._entries.move_to_end(key)
            self.hits += 1
        return body

    def put(self, key: str, body: bytes) -> None:
        self.misses += 1
        if len(body) > self._max_bytes // 4:
            return  # one huge body must not evict everything else
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old)
        self._entries[key] = body
        self._bytes += len(body)
        while self._bytes > self._max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= len(evicted)

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)
