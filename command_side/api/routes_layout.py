"""Venues and shows (operator role)."""

from fastapi import APIRouter
from fastapi.responses import Response

from command_side.api.commanding import dispatch
from command_side.api.deps import OperatorCommand
from command_side.api.schemas import ShowCreated, ShowIn, VenueCreated, VenueIn, documented
from command_side.domain.commands import CreateVenue, ScheduleShow
from command_side.domain.layout import RowSpec, ZoneSpec

router = APIRouter(prefix="/v1", tags=["layout"])


@router.post("/venues", status_code=201, responses=documented(201, VenueCreated))
async def post_venue(body: VenueIn, call: OperatorCommand) -> Response:
    """Create a venue with its zones, rows and seats (seat ids ``<zone>-<row>-<number>``)."""
    zones = tuple(
        ZoneSpec(z.zone_id, z.name, tuple(RowSpec(r.row, r.seats) for r in z.rows)) for z in body.zones
    )
    return await dispatch(call, CreateVenue(body.name, zones), customer_id=None, payload=body)


@router.post("/shows", status_code=201, responses=documented(201, ShowCreated))
async def post_show(body: ShowIn, call: OperatorCommand) -> Response:
    """Schedule a show of a venue with a price per zone; emits ShowScheduled."""
    command = ScheduleShow(body.venue_id, body.title, body.starts_at, dict(body.prices))
    return await dispatch(call, command, customer_id=None, payload=body)
