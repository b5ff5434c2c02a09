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
from query_api.kept_layout import KeptLayout
from query_api.models import AvailabilityPublic, SeatMapCompactPublic, SeatsPublic, ShowsPublic
from query_api.models.errors import ErrorPublic
from query_api.readers import shows as readers
from query_api.readers.versions import DbVersion
from query_api.routes.params import Freshness, FreshnessDep, StateDep
from query_api.routes.serving import JSON, await_freshness, serve_versioned, show_not_found
from query_api.state import QueryState

PROJECTION = "seat_availability"
router = APIRouter(prefix="/v1/shows", tags=["shows"])
Read = tuple[DbVersion, Callable[[], bytes]]  # a show's version and its body's encoder
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
        memory_version=lambda: tracker.all_version(PROJECTION) if from_memory and tracker.synced else None,
        read_version=version,
        load_body=body,
    )


@router.get("/{show_id}/availability", response_model=AvailabilityPublic, responses=_ERRORS)
async def availability(show_id: UUID, request: Request, state: StateDep, freshness: FreshnessDep) -> Response:
    """Per zone: name, price, capacity and available, held and sold seats."""

    async def read() -> Read | None:
        read = await readers.availability_at(state.engine, state.views, PROJECTION, show_id)
        if read is None:
            return None
        version, zones = read
        assert version.seq is not None  # a show's version always has its seq
        body = AvailabilityPublic(show_id=show_id, seq=version.seq, zones=zones)
        return version, lambda: body.model_dump_json().encode()

    variant = f"availability:{show_id}"
    return await _serve_show(request, state, freshness, show_id, variant=variant, read=read)


@router.get("/{show_id}/seats", response_model=SeatsPublic | SeatMapCompactPublic, responses=_ERRORS)
async def seats(
    show_id: UUID,
    *,
    request: Request,
    state: StateDep,
    freshness: FreshnessDep,
    # PostgreSQL text cannot hold NUL: refused here as a 422, not left to fail in the database
    zone_id: Annotated[
        str | None, Query(max_length=16, pattern=r"^[^\x00]*$", description="Only this zone's seats.")
    ] = None,
    format: Annotated[
        Literal["full", "compact"], Query(description="compact: run-length encoded per zone and row.")
    ] = "full",
) -> Response:
    """The seat map: every seat with its status, in layout order (``format=compact``: run-length)."""

    async def read() -> Read | None:
        if zone_id is None:  # the show's layout from memory, its statuses read with its version
            kept = await state.layouts.read_statuses(state.engine, state.views, PROJECTION, show_id)
            return None if kept is None else _whole_map(show_id, format, *kept)
        read = await readers.seats_at(state.engine, state.views, PROJECTION, show_id, zone_id)
        if read is None:
            return None
        version, rows = read
        assert version.seq is not None  # a show's version always has its seq
        seq = version.seq

        def body() -> bytes:
            if not rows and zone_id is not None:
                raise ApiError(
                    404, "zone_not_found", f"show {show_id} has no zone {zone_id}", zone_id=zone_id
                )
            encode = seatmap.compact_json if format == "compact" else seatmap.full_json
            return encode(show_id, seq, rows)

        return version, body

    variant = f"seats:{show_id}:{zone_id}:{format}"
    return await _serve_show(request, state, freshness, show_id, variant=variant, read=read)


def _whole_map(show_id: UUID, format: str, version: DbVersion, layout: KeptLayout, statuses: str) -> Read:
    """Every seat's map from the kept layout: the compact one straight from the statuses' runs."""
    assert version.seq is not None  # a show's version always has its seq
    seq = version.seq
    if format == "compact":
        return version, lambda: seatmap.compact_body(show_id, seq, layout.compact_zones(statuses))
    return version, lambda: seatmap.full_json(show_id, seq, layout.rows(statuses))


async def _serve_show(
    request: Request,
    state: QueryState,
    freshness: Freshness,
    show_id: UUID,
    *,
    variant: str,
    read: Callable[[], Awaitable[Read | None]],
) -> Response:
    """One show's versioned read, with ``serve_versioned``'s answers (ETag of the version, 304s, the
    body cached per version, a re-read when a swap replaced the version read).

    From memory when fresh enough; otherwise ``read`` reads the version and what
    the body is made of in one statement (one round trip, one snapshot), and the
    body is encoded only when neither a 304 nor the cache answers. Concurrent
    rebuilds of the version memory knows share the first (``SingleFlight``).
    """
    from_memory = await await_freshness(state, freshness, PROJECTION)
    tracker = state.tracker
    if_none_match = request.headers.get("if-none-match")

    async def rebuild() -> tuple[str, bytes | None]:
        for attempt in range(_SWAP_RETRIES):
            got = await read()
            if got is None:
                raise show_not_found(show_id)()
            version, encode = got
            tracker.merge(PROJECTION, version.label, version.marks)
            if version.label not in tracker.stale_labels or attempt == _SWAP_RETRIES - 1:
                break
        etag = etag_for(variant, version.key)
        if not_modified(if_none_match, etag):
            return etag, None
        body = state.cache.get(etag)
        if body is None:
            body = encode()
            state.cache.put(etag, body)
        return etag, body

    memory_version = tracker.show_version(PROJECTION, show_id) if from_memory and tracker.synced else None
    if memory_version is None:
        etag, body = await rebuild()
    else:
        etag = etag_for(variant, memory_version)
        if not_modified(if_none_match, etag):
            body = None
        else:
            body = state.cache.get(etag)
            if body is None:
                etag, body = await _shared(state, etag, rebuild)
    headers = {"ETag": etag, "Cache-Control": PUBLIC}
    if body is None:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=JSON, headers=headers)


class _OtherVersion(Exception):
    """A shared rebuild read another version than the one its waiters asked for."""


async def _shared(
    state: QueryState, etag: str, rebuild: Callable[[], Awaitable[tuple[str, bytes | None]]]
) -> tuple[str, bytes | None]:
    """``rebuild()``'s answer, or the body of ``etag`` another request's rebuild of it is reading.

    When a rebuild reads another version (memory was behind the database) its
    waiters read for themselves (``SingleFlight``: a failed build is not shared).
    """
    rebuilt: list[tuple[str, bytes | None]] = []

    async def load() -> bytes:
        rebuilt.append(await rebuild())
        read_etag, body = rebuilt[-1]
        if read_etag != etag or body is None:
            raise _OtherVersion
        return body

    try:
        return etag, await state.flights.build(etag, load)
    except _OtherVersion:
        return rebuilt[-1]
