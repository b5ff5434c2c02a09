"""The shape every read route shares: wait for the token, version, 304 or cached body.

Hot path (the tracker is synced and knows the resource): the version comes from
memory, so a 304 or a cached body costs no database round trip. Otherwise a
build (coalesced per variant: ``query_api.coalescing``) reads the version and,
when not cached, the body from one snapshot; the body is cached under
the version read *with it*, so a cached body is exactly what its key says, and
the watermarks read are merged into memory (values only grow), so this process
never answers older than what it has answered before.
"""

from collections.abc import Awaitable, Callable
from time import perf_counter
from uuid import UUID

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from infra.http.errors import ApiError
from infra.telemetry import tracing
from query_api.coalescing import MemoryVersion
from query_api.consistency import wait_for_watermark
from query_api.database import snapshot
from query_api.http.caching import etag_for, not_modified
from query_api.readers.versions import DbVersion
from query_api.routes.params import Freshness
from query_api.state import QueryState
from query_api.token_tracing import token_wait

JSON = "application/json"
ReadAtOnce = Callable[[], Awaitable[tuple[DbVersion, bytes]]]  # a version and its body, one round trip
_SWAP_RETRIES = 3


async def await_freshness(state: QueryState, freshness: Freshness, projection: str) -> bool:
    """Return once the projection's watermark of the token's show reaches the token's seq.

    Returns whether memory alone satisfies the token (then the caller may answer
    from memory; otherwise it must read the database, which does). Raises 503
    ``projection_behind`` (with ``Retry-After``) after ``wait_ms``.
    """
    token = freshness.token
    if token is None or token.show_id is None:
        return True
    show_id, tracker = token.show_id, state.tracker
    if tracker.synced:
        seq = tracker.seq(projection, show_id)
        if seq is not None and seq >= token.seq:
            state.metrics.token_wait("immediate")
            return True

    async def from_database() -> int | None:
        async with snapshot(state.engine) as conn:
            return await state.versions.watermark(conn, projection, show_id)

    reads = 0  # the first read satisfying the token: no wait (metrics)

    async def read_watermark() -> int | None:
        nonlocal reads
        reads += 1
        return tracker.seq(projection, show_id) if tracker.synced else await from_database()

    settings = state.settings
    started = perf_counter()
    waiting = wait_for_watermark(
        read_watermark,
        token.seq,
        signal=state.signal,
        projection=projection,
        timeout_s=freshness.wait_ms / 1000,
        recheck_s=settings.recheck_interval_ms / 1000,
    )
    reached, current = await (token_wait(projection, show_id, token.seq, waiting) if tracing.on else waiting)
    if reached:
        if reads == 1:
            state.metrics.token_wait("immediate")
        else:
            state.metrics.token_wait("waited", perf_counter() - started)
        return tracker.synced and (tracker.seq(projection, show_id) or 0) >= token.seq
    if tracker.synced:  # a notice may still be in flight: the database has the last word
        current = await from_database()
        if current is not None and current >= token.seq:
            state.metrics.token_wait("waited", perf_counter() - started)
            return False
    state.metrics.token_wait("timeout", perf_counter() - started)
    raise ApiError(
        503,
        "projection_behind",
        f"the {projection} read model has not yet applied the command's events; retry shortly",
        {"Retry-After": "1"},
        projection=projection,
        show_id=str(show_id),
        required_seq=token.seq,
        watermark=current,
    )


async def serve_versioned(
    request: Request,
    state: QueryState,
    *,
    projection: str,
    variant: str,
    cache_control: str,
    memory_version: MemoryVersion,
    read_version: Callable[[AsyncConnection], Awaitable[DbVersion | None]],
    load_body: Callable[[AsyncConnection, DbVersion], Awaitable[bytes]],
    missing: Callable[[], ApiError] | None = None,
    media_type: str = JSON,
    read_at_once: ReadAtOnce | None = None,
) -> Response:
    """The version gives the ETag; 304 when the client has it, else the body from the cache or
    from a build (one snapshot: ``read_version``, then ``load_body``; or ``read_at_once``, which
    reads both; cached under that ETag).

    ``memory_version()`` is the tracker's version of the resource now (None:
    unknown, not synced, or not enough for the request's token): with it, a
    304 or a cached body costs no read. Builds of one variant are coalesced
    (``BuildCoalescer``): at most one runs at a time, and a reader takes one
    whose snapshot is at least as new as its token and as every watermark the
    process had seen when it arrived; a resource that changes under load is
    built as often as a build takes, not once per reader. The body is served
    with the ETag of the version it was read at.
    """
    if_none_match = request.headers.get("if-none-match")
    seen = memory_version()
    if seen is not None:
        etag = etag_for(variant, seen)
        if not_modified(if_none_match, etag):
            return Response(status_code=304, headers={"ETag": etag, "Cache-Control": cache_control})
        body = state.cache.get(etag)
        if body is not None:
            headers = {"ETag": etag, "Cache-Control": cache_control}
            return Response(body, media_type=media_type, headers=headers)

    async def build() -> tuple[str, bytes]:
        """The ETag and body from one snapshot (the body from the cache when it has that version); the
        version read is merged into memory."""
        for attempt in range(_SWAP_RETRIES):
            async with snapshot(state.engine) as conn:
                read = await read_version(conn)
                if read is None:
                    raise (missing() if missing else ApiError(404, "not_found", "no such resource"))
                version = read
                etag, cached = _seen(state, projection, variant, version)
                body = cached if cached is not None else _put(state, etag, await load_body(conn, version))
            # A swap seen while this snapshot read the old version: re-read, never answer the old one.
            if version.label not in state.tracker.stale_labels or attempt == _SWAP_RETRIES - 1:
                break
        return etag, body

    at_once = None if read_at_once is None else build_at_once(state, projection, variant, read_at_once)
    etag, body = await state.builds.answer(variant, seen, memory_version, at_once or build)
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if not_modified(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def build_at_once(
    state: QueryState, projection: str, variant: str, read_at_once: ReadAtOnce
) -> Callable[[], Awaitable[tuple[str, bytes]]]:
    """A build (for ``state.builds``) of a resource whose version and body ``read_at_once`` reads from
    one snapshot in one round trip: its ETag and body (the cached one when it has that version), the
    version read merged into memory, the old version never answered after a swap was seen."""

    async def build() -> tuple[str, bytes]:
        for attempt in range(_SWAP_RETRIES):
            version, fresh = await read_at_once()
            etag, cached = _seen(state, projection, variant, version)
            body = cached if cached is not None else _put(state, etag, fresh)
            if version.label not in state.tracker.stale_labels or attempt == _SWAP_RETRIES - 1:
                break
        return etag, body

    return build


def _seen(state: QueryState, projection: str, variant: str, version: DbVersion) -> tuple[str, bytes | None]:
    """The version read is merged into memory; its ETag, and its body if cached."""
    state.tracker.merge(projection, version.label, version.marks)
    etag = etag_for(variant, version.key)
    return etag, state.cache.get(etag)


def _put(state: QueryState, etag: str, body: bytes) -> bytes:
    state.cache.put(etag, body)
    return body


def show_not_found(show_id: UUID) -> Callable[[], ApiError]:
    return lambda: ApiError(404, "show_not_found", f"no show {show_id}", show_id=str(show_id))
