"""Creating venues and scheduling shows."""

from datetime import UTC
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncConnection

from command_side.adapters import venues_repo
from command_side.domain.commands import CreateVenue, ScheduleShow
from command_side.domain.errors import NotFound
from command_side.domain.layout import check_prices, validate_layout
from command_side.handlers.runner import CommandContext, Decision, Handler
from contracts import RowLayout, ShowScheduled, ZoneLayout


def create_venue(command: CreateVenue) -> Handler:
    """A venue and its seats; touches no show, so its token is always satisfied."""

    async def handle(conn: AsyncConnection, context: CommandContext) -> Decision:
        seats = validate_layout(command.zones)
        venue_id = uuid4()
        await venues_repo.insert_venue(conn, venue_id, command.name, command.zones, seats)
        return Decision("created", {"venue_id": venue_id, "seat_count": len(seats)})

    return handle


def schedule_show(command: ScheduleShow) -> Handler:
    """A show of a venue with a price per zone; emits ShowScheduled (seq 1) with the layout snapshot."""

    async def handle(conn: AsyncConnection, context: CommandContext) -> Decision:
        venue = await venues_repo.get_venue_layout(conn, command.venue_id)
        if venue is None:
            raise NotFound("venue_not_found", "no venue has this id", venue_id=str(command.venue_id))
        check_prices([z.zone_id for z in venue.zones], command.prices)
        show_id = uuid4()
        starts_at = command.starts_at.astimezone(UTC)  # events carry UTC, whatever offset the caller sent
        await venues_repo.insert_show(
            conn,
            show_id=show_id,
            venue_id=venue.venue_id,
            title=command.title,
            starts_at=starts_at,
            prices=command.prices,
        )
        event = ShowScheduled(
            show_id=show_id,
            venue_id=venue.venue_id,
            venue_name=venue.name,
            title=command.title,
            starts_at=starts_at,
            zones=tuple(
                ZoneLayout(
                    zone_id=z.zone_id,
                    name=z.name,
                    price_cents=command.prices[z.zone_id],
                    rows=tuple(RowLayout(row=r.row, seats=r.seats) for r in z.rows),
                )
                for z in venue.zones
            ),
        )
        return Decision("created", {"show_id": show_id}, show_id=show_id, events=(event,))

    return handle
