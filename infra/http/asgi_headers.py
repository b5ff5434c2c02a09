"""The request headers a lean ASGI path reads, taken straight from the scope.

Both APIs answer their hottest request on a path below FastAPI (the command
API's holds, the query API's reads) and fall back to the full route on any
doubt. Such a path reads a few named headers from the scope's raw list, where
names are lower-case bytes (ASGI), values are bytes, and a name may repeat.
A repeated header is a doubt: the route, not the lean path, decides what it
means, so :func:`pick_headers` gives None and the caller hands the request on.
"""

from collections.abc import Container, Iterable

RawHeaders = Iterable[tuple[bytes, bytes]]


def pick_headers(raw: RawHeaders, names: Container[bytes]) -> dict[bytes, str] | None:
    """The headers of ``raw`` whose (lower-case) name is in ``names``, values decoded as latin-1 (as
    HTTP/1.1 carries them); those not given are absent. None when one of them is given more than
    once. Headers not named are neither decoded nor checked."""
    found: dict[bytes, str] = {}
    for name, value in raw:
        if name in names:
            if name in found:
                return None
            found[name] = value.decode("latin-1")
    return found
