"""The shape every read route shares: wait for the token, version, 304 or cached body."""

from collections.abc import Awaitable, Callable
from typing import TypeVar
from uuid import UUID

from fastapi import Request
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from query_api.consistency import wait_for_watermark
from query_api.database import snapshot
from query_api.http.caching import etag_for, not_modified
from query_api.http.errors import ApiError
from query_api.readers.versions import watermark
from query_api.routes.params import Freshness
from query_api.state import QueryState

V = TypeVar("V")
JSON = "application/json"


async def await_freshness(
    state: QueryState, freshness: Freshness, watermarks: Table, projection: str
) -> None:
    """Return once the projection's watermark of the token's show reaches the token's seq.

    Raises 503 ``projection_behind`` (with ``Retry-After``) after ``wait_ms``.
    """
    token = freshness.token
    if token is None or token.show_id is None:
        return
    show_id = token.show_id

    async def read_watermark() -> int | None:
        async with snapshot(state.engine) as conn:
            return await watermark(conn, watermarks, show_id)

    settings = state.settings
    reached, current = await wait_for_watermark(
        read_watermark,
        token.seq,
        signal=state.signal,
        projection=projection,
        timeout_s=freshness.wait_ms / 1000,
        recheck_s=settings.recheck_interval_ms / 1000,
    )
    if not reached:
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
    variant: str,
    cache_control: str,
    read_version: Callable[[AsyncConnection], Awaitable[V | None]],
    load_body: Callable[[AsyncConnection, V], Awaitable[bytes]],
    missing: Callable[[], ApiError] | None = None,
) -> Response:
    """Answer from one snapshot: the version gives the ETag; 304 when the client has it,
    else the body from the cache or from ``load_body`` (then cached under that ETag)."""
    async with snapshot(state.engine) as conn:
        version = await read_version(conn)
        if version is None:
            raise (missing() if missing else ApiError(404, "not_found", "no such resource"))
        etag = etag_for(variant, version)
        headers = {"ETag": etag, "Cache-Control": cache_control}
        if not_modified(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        body = state.cache.get(etag)
        if body is None:
            body = await load_body(conn, version)
            state.cache.put(etag, body)
    return Response(body, media_type=JSON, headers=headers)


def show_not_found(show_id: UUID) -> Callable[[], ApiError]:
    return lambda: ApiError(404, "show_not_found", f"no show {show_id}", show_id=str(show_id))
