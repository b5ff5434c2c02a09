"""The lean path's reading of a request (``http.fast``): which resource, its parameters, headers and token.

Each function accepts only the plain spellings the lean path can answer
exactly as the route would (the canonical show id, each known parameter given
once and not empty, a ``wait_ms`` in range, each header once) and returns None
for anything else: the route then parses the request itself, and answers or
refuses it.
"""

from urllib.parse import parse_qsl
from uuid import UUID

from contracts import ConsistencyToken
from infra.http.asgi_headers import pick_headers

PREFIX = "/v1/shows"
DASHBOARD = "/v1/dashboard"
_ALLOWED = {
    "": {"consistency_token", "wait_ms"},
    "availability": {"consistency_token", "wait_ms"},
    "seats": {"consistency_token", "wait_ms", "zone_id", "format"},
    "dashboard": {"consistency_token", "wait_ms", "format"},
}
_HEADERS = frozenset((b"if-none-match", b"x-consistency-token", b"authorization", b"accept"))
_MAX_WAIT_MS = 5000
_WAIT_DIGITS = 4
_SEGMENTS = 3


def read_target(path: str) -> tuple[str, UUID | None] | None:
    """``("", None)``, ``("availability", id)``, ``("seats", id)`` or ``("dashboard", None)``; None for
    anything else."""
    if path == DASHBOARD:
        return "dashboard", None
    rest = path[len(PREFIX) :]
    if rest == "":
        return "", None
    parts = rest.split("/")
    if len(parts) != _SEGMENTS or parts[0] != "" or parts[2] not in ("availability", "seats"):
        return None
    try:
        show_id = UUID(parts[1])
    except ValueError:
        return None
    # Only the canonical spelling; any other the route parses (and may refuse).
    return (parts[2], show_id) if str(show_id) == parts[1] else None


def read_params(query_string: bytes, kind: str) -> dict[str, str] | None:
    """The query parameters, when each is known, given once and not empty."""
    found: dict[str, str] = {}
    if query_string:
        for key, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
            if key in found or not value or key not in _ALLOWED[kind]:
                return None
            found[key] = value
    wait = found.get("wait_ms")
    if wait is not None and not (wait.isdigit() and len(wait) <= _WAIT_DIGITS and int(wait) <= _MAX_WAIT_MS):
        return None
    return found


def read_headers(headers: list[tuple[bytes, bytes]]) -> dict[bytes, str] | None:
    """``If-None-Match``, ``X-Consistency-Token``, ``Authorization`` and ``Accept`` by name, those
    given; None when one is given more than once."""
    return pick_headers(headers, _HEADERS)


_NO_TOKEN = ConsistencyToken(None, 0)


def read_token(params: dict[str, str], header: str | None) -> ConsistencyToken | None:
    """The request's token (the query parameter wins), the always-satisfied one when none; None if invalid."""
    raw = params.get("consistency_token", header)
    if raw is None:
        return _NO_TOKEN
    try:
        return ConsistencyToken.decode(raw.strip())
    except ValueError:
        return None
