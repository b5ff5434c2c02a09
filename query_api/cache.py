"""A small in-process cache of response bodies, bounded by bytes, least recently used out.

Keys are ETags derived from projection versions and watermarks, so an entry is
never stale: a changed read model yields a different key. Single-threaded use
from the event loop; no locking needed.
"""

from collections import OrderedDict


class BodyCache:
    """Maps an ETag to the exact response bytes it was computed for."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0

    def get(self, key: str) -> bytes | None:
        body = self._entries.get(key)
        if body is not None:
            self._entries.move_to_end(key)
        return body

    def put(self, key: str, body: bytes) -> None:
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
