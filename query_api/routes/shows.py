"""Public reads of the seat_availability projection: shows, availability, seat maps."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from infra.http.errors import ApiError
from query_api import seatmap
from query_api.http.caching import PUBLIC, etag_for, not_modified
from query_api.models import AvailabilityPublic, SeatMapCompactPublic, SeatsPublic, ShowsPublic
from query_api.models.errors import ErrorPublic
from query_api.readers import shows as readers
from query_api.readers.versions import DbVersion
from query_api.routes.params import Freshness, FreshnessDep, StateDep
from query_api.routes.serving import JSON, await_freshness, serve_versioned, show_not_found
from query_api.state import QueryState

PROJECTION = "seat_availability"
router = APIRouter(prefix="/v1/shows", tags=["shows"])
_SWAP_RETRIES = 3  # as serve_versioned: a swap seen while reading the old version, read again
_ERRORS: dict[int | str, dict[str, object]] = {code: {"model": ErrorPublic} for code in (404, 422, 503)}


@router.get("", response_model=ShowsPublic, responses=_ERRORS)
async def list_shows(request: Request, state: StateDep, freshness: FreshnessDep) -> Response:
    """Every show with its capacity and available, held and sold seats."""
    views, tracker = state.views, state.tracker
    from_memory = await await_freshness(state, freshness, PROJECTION)

    async def version(conn: AsyncConnection) -> DbVersion:
        return await state.versions.all_shows(conn, PROJECTION)

    async def body(conn: AsyncConnection, _: DbVersion) -> bytes:
        return ShowsPublic(shows=await readers.list_shows(conn, views)).model_dump_json().encode()

    return await serve_versioned(
        request,
        state,
        projection=PROJECTION,
        variant="shows",
        cache_control=PUBLIC,
        memory_version=tracker.all_version(PROJECTION) if from_memory and tracker.synced else None,
        read_version=version,
        load_body=body,
    )


@router.get("/{show_id}/availability", response_model=AvailabilityPublic, responses=_ERRORS)
async def availability(show_id: UUID, request: Request, state: StateDep, freshness: FreshnessDep) -> Response:
    """Per zone: name, price, capacity and available, held and sold seats.

    From memory as every versioned read; a rebuild reads the version and the zones
    in one statement (one round trip, one snapshot), with ``serve_versioned``'s
    answers: the ETag of the version read, 304s, the body cached under it, and a
    re-read when a swap replaced the version read.
    """
    from_memory = await await_freshness(state, freshness, PROJECTION)
    tracker, variant = state.tracker, f"availability:{show_id}"
    if_none_match = request.headers.get("if-none-match")
    headers = {"Cache-Control": PUBLIC}
    memory_version = tracker.show_version(PROJECTION, show_id) if from_memory and tracker.synced else None
    if memory_version is not None:
        etag = etag_for(variant, memory_version)
        if not_modified(if_none_match, etag):
            return Response(status_code=304, headers={"ETag": etag, **headers})
        body = state.cache.get(etag)
        if body is not None:
            return Response(body, media_type=JSON, headers={"ETag": etag, **headers})
    for attempt in range(_SWAP_RETRIES):
        read = await readers.availability_at(state.engine, state.views, PROJECTION, show_id)
        if read is None:
            raise show_not_found(show_id)()
        version, zones = read
        tracker.merge(PROJECTION, version.label, version.marks)
        if version.label not in tracker.stale_labels or attempt == _SWAP_RETRIES - 1:
            break
    etag = etag_for(variant, version.key)
    body = state.cache.get(etag)
    if body is None:
        assert version.seq is not None  # a show's version always has its seq
        body = AvailabilityPublic(show_id=show_id, seq=version.seq, zones=zones).model_dump_json().encode()
        state.cache.put(etag, body)
    if not_modified(if_none_match, etag):
        return Response(status_code=304, headers={"ETag": etag, **headers})
    return Response(body, media_type=JSON, headers={"ETag": etag, **headers})


@router.get("/{show_id}/seats", response_model=SeatsPublic | SeatMapCompactPublic, responses=_ERRORS)
async def seats(
    show_id: UUID,
    *,
    request: Request,
    state: StateDep,
    freshness: FreshnessDep,
    zone_id: Annotated[str | None, Query(max_length=16, description="Only this zone's seats.")] = None,
    format: Annotated[
        Literal["full", "compact"], Query(description="compact: run-length encoded per zone and row.")
    ] = "full",
) -> Response:
    """The seat map: every seat with its status, in layout order (``format=compact``: run-length)."""

    async def body(conn: AsyncConnection, seq: int) -> bytes:
        if zone_id is None:  # the show's layout from memory, its statuses from the snapshot
            rows = await state.layouts.seat_rows(conn, state.views, show_id)
        else:
            rows = await readers.seat_rows(conn, state.views, show_id, zone_id)
        if not rows and zone_id is not None:
            raise ApiError(404, "zone_not_found", f"show {show_id} has no zone {zone_id}", zone_id=zone_id)
        encode = seatmap.compact_json if format == "compact" else seatmap.full_json
        return encode(show_id, seq, rows)

    variant = f"seats:{show_id}:{zone_id}:{format}"
    return await _serve_show(request, state, freshness, show_id, variant=variant, body_at=body)


async def _serve_show(
    request: Request,
    state: QueryState,
    freshness: Freshness,
    show_id: UUID,
    *,
    variant: str,
    body_at: Callable[[AsyncConnection, int], Awaitable[bytes]],
) -> Response:
    """One show's versioned read: its version (from memory when fresh enough), body cached per version."""
    from_memory = await await_freshness(state, freshness, PROJECTION)
    tracker = state.tracker

    async def version(conn: AsyncConnection) -> DbVersion | None:
        return await state.versions.show(conn, PROJECTION, show_id)

    async def body(conn: AsyncConnection, ver: DbVersion) -> bytes:
        assert ver.seq is not None  # a show's version always has its seq
        return await body_at(conn, ver.seq)

    return await serve_versioned(
        request,
        state,
        projection=PROJECTION,
        variant=variant,
        memory_version=tracker.show_version(PROJECTION, show_id) if from_memory and tracker.synced else None,
        cache_control=PUBLIC,
        read_version=version,
        load_body=body,
        missing=show_not_found(show_id),
    )
