"""Shows, per-zone availability and seat maps from the seat_availability views."""

from collections.abc import Sequence
from functools import cache
from typing import Any
from uuid import UUID

from psycopg import sql
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from query_api.database import driver_rows
from query_api.models import ShowPublic, ZoneAvailability
from query_api.views import ReadViews


async def list_shows(conn: AsyncConnection, views: ReadViews) -> list[ShowPublic]:
    """Every show the projection knows, soonest first."""
    s = views.shows
    query = select(
        s.c.show_id, s.c.title, s.c.starts_at, s.c.venue_name, s.c.capacity, s.c.available, s.c.held, s.c.sold
    ).order_by(s.c.starts_at, s.c.show_id)
    return [ShowPublic.model_validate(row._mapping) for row in await conn.execute(query)]


async def zone_availability(conn: AsyncConnection, views: ReadViews, show_id: UUID) -> list[ZoneAvailability]:
    """The show's zones in layout order with their counts (one indexed select)."""
    z = views.zones
    query = (
        select(z.c.zone_id, z.c.name, z.c.price_cents, z.c.capacity, z.c.available, z.c.held, z.c.sold)
        .where(z.c.show_id == show_id)
        .order_by(z.c.ordinal)
    )
    return [ZoneAvailability.model_validate(row._mapping) for row in await conn.execute(query)]


async def seat_rows(
    conn: AsyncConnection, views: ReadViews, show_id: UUID, zone_id: str | None
) -> Sequence[Sequence[Any]]:
    """``(seat_id, zone_id, row, number, status)`` of the show's seats in layout order.

    Rows, not models: a seat map has tens of thousands of seats and is encoded
    straight to JSON by :mod:`query_api.seatmap`. Read through the driver's own
    cursor in the request's transaction (same snapshot): plain tuples, without
    SQLAlchemy's per-row processing, which cost more than the read itself.
    """
    query = _seat_query(views.read_schema, views.seats.name, by_zone=zone_id is not None)
    params: tuple[object, ...] = (show_id,) if zone_id is None else (show_id, zone_id)
    return await driver_rows(conn, query, params)


@cache
def _seat_query(read_schema: str, view: str, *, by_zone: bool) -> sql.Composed:
    zone = sql.SQL(" AND zone_id = %s") if by_zone else sql.SQL("")
    return sql.SQL(
        'SELECT seat_id, zone_id, "row", number, status FROM {}.{} WHERE show_id = %s{} ORDER BY ordinal'
    ).format(sql.Identifier(read_schema), sql.Identifier(view), zone)
