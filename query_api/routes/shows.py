"""Public reads of the seat_availability projection: shows, availability, seat maps."""

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from query_api.http.caching import PUBLIC
from query_api.models import AvailabilityPublic, SeatMapCompactPublic, SeatsPublic, ShowsPublic
from query_api.models.errors import ErrorPublic
from query_api.readers import shows as readers
from query_api.readers.versions import DbVersion
from query_api.routes.params import Freshness, FreshnessDep, StateDep
from query_api.routes.serving import JSON, await_freshness, serve_versioned
from query_api.routes.show_answers import (
    ReadShow,
    availability_read,
    show_answer,
    whole_map_read,
    zone_map_read,
)
from query_api.state import QueryState

PROJECTION = "seat_availability"
router = APIRouter(prefix="/v1/shows", tags=["shows"])
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
    read = availability_read(state, show_id)
    return await _serve_show(request, state, freshness, show_id, variant=f"availability:{show_id}", read=read)


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

    # The whole map: the show's layout from memory, its statuses read with its version; a zone's: its rows.
    read = (
        whole_map_read(state, show_id, format)
        if zone_id is None
        else zone_map_read(state, show_id, zone_id, format)
    )
    variant = f"seats:{show_id}:{zone_id}:{format}"
    return await _serve_show(request, state, freshness, show_id, variant=variant, read=read)


async def _serve_show(
    request: Request,
    state: QueryState,
    freshness: Freshness,
    show_id: UUID,
    *,
    variant: str,
    read: ReadShow,
) -> Response:
    """One show's versioned read (``show_answer``: ETag of the version, 304s, the body cached per
    version, a re-read when a swap replaced the version read), once its token is reached."""
    from_memory = await await_freshness(state, freshness, PROJECTION)
    if_none_match = request.headers.get("if-none-match")
    etag, body = await show_answer(
        state, show_id, variant=variant, read=read, if_none_match=if_none_match, from_memory=from_memory
    )
    headers = {"ETag": etag, "Cache-Control": PUBLIC}
    if body is None:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=JSON, headers=headers)
