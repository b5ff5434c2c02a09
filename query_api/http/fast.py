"""The hot path: show and dashboard reads answered from memory without FastAPI's routing and dependencies.

Most reads of a live on-sale are of resources that have not changed since
they were last read: the version is in memory (:class:`VersionTracker`), the
body in the cache. Resolving FastAPI's dependencies and parameters would then
cost more than the answer itself, so this middleware answers such a read
directly: a ``GET`` of ``/v1/shows``, ``/v1/shows/{id}/availability``,
``/v1/shows/{id}/seats`` or the whole JSON ``/v1/dashboard`` whose parameters
are plainly valid, whose token (if any) memory already satisfies, and whose
answer is a 304, a cached body, or a body built as the route builds it
(``http.fast_builds``: availability, a whole seat map or a zone's, the whole
dashboard). A build that fails (an unknown zone's 404, the database down) is
refused here as the route refuses it, by the app's own error handlers (same
status, shape and headers), so the request does not read the database a second
time through the route. The
dashboard is answered only to a key whose role the route admits (viewer,
operator), read as the route reads it (``infra.http.auth.bearer_key``, the
app's ``api_keys``), and never when CSV may be asked for; every refusal
(401, 403) is the route's.
Anything else, including every error and every case it is unsure of, goes on
to the routes, which answer exactly as before (same ETags, since both paths
derive them from the same versions). The answer carries the same headers as
the routes' and is labelled with the route for the metrics.
"""

import logging
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from contracts import ConsistencyToken
from infra.http.auth import bearer_key
from query_api.consistency.tracker import VersionTracker
from query_api.http.auth import DASHBOARD_READERS
from query_api.http.caching import PRIVATE, PUBLIC, dashboard_variant, etag_for, not_modified
from query_api.http.fast_builds import Build, lean_build
from query_api.http.fast_requests import DASHBOARD, PREFIX, read_headers, read_params, read_target, read_token

log = logging.getLogger(__name__)
PROJECTION = "seat_availability"
_TEMPLATES = {
    "": "/v1/shows",
    "availability": "/v1/shows/{show_id}/availability",
    "seats": "/v1/shows/{show_id}/seats",
    "dashboard": DASHBOARD,
}
_PROJECTIONS = {"dashboard": "dashboard"}  # the others: PROJECTION
_DASHBOARD_VARIANT = dashboard_variant(None, None, None, csv=False)  # the route's, unfiltered JSON
_CACHE_CONTROL = {kind: (b"cache-control", PUBLIC.encode()) for kind in _TEMPLATES}
_CACHE_CONTROL["dashboard"] = (b"cache-control", PRIVATE.encode())
_JSON = (b"content-type", b"application/json")
_MAX_ZONE_ID = 16


class FastReads:
    """See the module docstring."""

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        """``routes``: the shows and dashboard routes, whose templates label the answers for the metrics."""
        self.app = app
        paths = {getattr(route, "path", None): route for route in routes}
        missing = [template for template in _TEMPLATES.values() if template not in paths]
        if missing:
            raise ValueError(f"the hot path's routes are missing: {missing}")
        self._routes = {name: paths[template] for name, template in _TEMPLATES.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"] if scope["type"] == "http" and scope["method"] == "GET" else ""
        if path.startswith(PREFIX) or path == DASHBOARD:
            answer = self._answer(scope)
            if isinstance(answer, _Pending):
                scope["route"] = self._routes[answer.kind]  # a failure no handler answers leaves labelled
                built = await _built(scope, answer)
                if isinstance(built, Response):  # a failed build, refused as the route refuses it
                    await built(scope, receive, send)
                    return
                answer = built
            if answer is not None:
                kind, status, headers, body = answer
                scope["route"] = self._routes[kind]  # labels the metrics and the span as the route would
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    def _answer(self, scope: Scope) -> "Answer | _Pending | None":
        state = getattr(scope["app"].state, "query", None)
        target = read_target(scope["path"])
        params = read_params(scope["query_string"], target[0]) if target is not None else None
        headers = read_headers(scope["headers"])
        if state is None or not state.tracker.synced or target is None or params is None or headers is None:
            return None
        token = read_token(params, headers.get(b"x-consistency-token"))
        if target[0] == "dashboard" and not _whole_json_for_a_reader(scope, params, headers):
            token = None  # the route answers: a filter, CSV, or a refusal
        tracker, projection = state.tracker, _PROJECTIONS.get(target[0], PROJECTION)
        if token is None or (
            token.show_id is not None and (tracker.seq(projection, token.show_id) or 0) < token.seq
        ):
            return None  # invalid, or the route waits for it
        found = _version(tracker, target[0], target[1], params)
        if found is None:
            return None
        etag = etag_for(*found)
        if_none_match = headers.get(b"if-none-match")
        if not_modified(if_none_match, etag):
            _answered(state, token)
            return _reply(target[0], etag, None)
        body: bytes | None = state.cache.get(etag)
        if body is None:
            build = lean_build(
                state,
                target[0],
                show_id=target[1],
                variant=found[0],
                params=params,
                if_none_match=if_none_match,
            )
            return None if build is None else _Pending(target[0], build, state, token)
        _answered(state, token)
        return _reply(target[0], etag, body)


Answer = tuple[str, int, list[tuple[bytes, bytes]], bytes]  # kind, status, headers, body


class _Pending(NamedTuple):
    """A read this path answers once ``build`` has built its body."""

    kind: str
    build: Build
    state: Any
    token: ConsistencyToken


async def _built(scope: Scope, pending: _Pending) -> Answer | Response:
    """The built answer; when the build failed, the app's own answer to its error (what the route's
    error handlers answer for it), so a failed read waits for the database once, not once more in the
    route. An error no handler answers is raised, as the route would (``UnexpectedErrors`` answers)."""
    try:
        etag, body = await pending.build()
    except Exception as error:
        handler = _handler(scope["app"].exception_handlers, error)
        if handler is None:
            raise
        log.debug("lean build of %s failed; answered as the route would", scope["path"], exc_info=True)
        _answered(pending.state, pending.token)  # the route counts the token before its build too
        refusal: Response = await handler(Request(scope), error)
        return refusal
    _answered(pending.state, pending.token)
    return _reply(pending.kind, etag, body)


def _handler(handlers: dict[Any, Callable[..., Any]], error: Exception) -> Callable[..., Any] | None:
    """The app's handler of ``error``, looked up along its classes as Starlette looks it up."""
    for cls in type(error).__mro__:
        if cls in handlers:
            return handlers[cls]
    return None


def _reply(kind: str, etag: str, body: bytes | None) -> Answer:
    """The route's answer: 304 without a body, else 200 with the JSON body; ETag and Cache-Control."""
    etag_header, cache_control = (b"etag", etag.encode()), _CACHE_CONTROL[kind]
    if body is None:
        return kind, 304, [etag_header, cache_control], b""
    length = (b"content-length", str(len(body)).encode())
    return kind, 200, [etag_header, cache_control, length, _JSON], body


def _answered(state: Any, token: ConsistencyToken) -> None:
    """A token this path answers was satisfied on arrival (the metrics' ``immediate``)."""
    if token.show_id is not None:
        state.metrics.token_wait("immediate")


def _version(
    tracker: VersionTracker, kind: str, show_id: UUID | None, params: dict[str, str]
) -> tuple[str, str] | None:
    """``(variant, version)`` of the resource in memory, as the routes derive them; None if unknown."""
    if kind == "dashboard":
        return _DASHBOARD_VARIANT, tracker.all_version("dashboard")
    if show_id is None:
        return "shows", tracker.all_version(PROJECTION)
    version: str | None = tracker.show_version(PROJECTION, show_id)
    if version is None:
        return None
    if kind == "availability":
        return f"availability:{show_id}", version
    zone_id, layout = params.get("zone_id"), params.get("format", "full")
    if layout not in ("full", "compact") or (zone_id is not None and len(zone_id) > _MAX_ZONE_ID):
        return None
    return f"seats:{show_id}:{zone_id}:{layout}", version


def _whole_json_for_a_reader(scope: Scope, params: dict[str, str], headers: dict[bytes, str]) -> bool:
    """The dashboard request asks for the unfiltered JSON with a key of a role the route admits."""
    if params.get("format", "json") != "json" or "text/csv" in headers.get(b"accept", ""):
        return False
    key = bearer_key(headers.get(b"authorization"))
    return key is not None and scope["app"].state.api_keys.role_for(key) in DASHBOARD_READERS
