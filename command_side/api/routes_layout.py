"""Venues and shows (operator role)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from command_side.api.commanding import execute
from command_side.api.deps import CorrelationHeader, IdempotencyKey, OperatorDep, StateDep
from command_side.api.schemas import ShowCreated, ShowIn, VenueCreated, VenueIn, documented
from command_side.domain.commands import CreateVenue, ScheduleShow
from command_side.domain.layout import RowSpec, ZoneSpec
from command_side.handlers.venues import create_venue, schedule_show

router = APIRouter(prefix="/v1", tags=["layout"])


@router.post("/venues", status_code=201, responses=documented(201, VenueCreated))
async def post_venue(
    *,
    body: VenueIn,
    request: Request,
    state: StateDep,
    caller: OperatorDep,
    idempotency_key: IdempotencyKey = None,
    correlation_id: CorrelationHeader = None,
) -> Response:
    """Create a venue with its zones, rows and seats (seat ids ``<zone>-<row>-<number>``)."""
    zones = tuple(
        ZoneSpec(z.zone_id, z.name, tuple(RowSpec(r.row, r.seats) for r in z.rows)) for z in body.zones
    )
    return await execute(
        state,
        request,
        create_venue(CreateVenue(body.name, zones)),
        caller=caller,
        customer_id=None,
        idempotency_key=idempotency_key,
        payload=body,
        correlation_id=correlation_id,
    )


@router.post("/shows", status_code=201, responses=documented(201, ShowCreated))
async def post_show(
    *,
    body: ShowIn,
    request: Request,
    state: StateDep,
    caller: OperatorDep,
    idempotency_key: IdempotencyKey = None,
    correlation_id: CorrelationHeader = None,
) -> Response:
    """Schedule a show of a venue with a price per zone; emits ShowScheduled."""
    command = ScheduleShow(body.venue_id, body.title, body.starts_at, dict(body.prices))
    return await execute(
        state,
        request,
        schedule_show(command),
        caller=caller,
        customer_id=None,
        idempotency_key=idempotency_key,
        payload=body,
        correlation_id=correlation_id,
    )
