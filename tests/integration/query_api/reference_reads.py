"""Reads the query API's one-statement reads are checked against: the straightforward selects, run in a
test's REPEATABLE READ transaction (``query_api.database.snapshot``), whose answers the production reads
(``readers.shows.availability_at``, ``seats_at``, ``SeatLayouts.read``) must equal for one snapshot."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from query_api.models import ZoneAvailability
from query_api.views import ReadViews


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
    """``(seat_id, zone_id, row, number, status)`` of the show's seats (or one zone's) in layout order,
    as plain tuples, through the driver's cursor in ``conn``'s transaction (same snapshot)."""
    zone = sql.SQL(" AND zone_id = %s") if zone_id is not None else sql.SQL("")
    query = sql.SQL(
        'SELECT seat_id, zone_id, "row", number, status FROM {}.{} WHERE show_id = %s{} ORDER BY ordinal'
    ).format(sql.Identifier(views.read_schema), sql.Identifier(views.seats.name), zone)
    params: tuple[object, ...] = (show_id,) if zone_id is None else (show_id, zone_id)
    raw = await conn.get_raw_connection()
    driver: psycopg.AsyncConnection[Any] = raw.driver_connection  # type: ignore[assignment]
    async with driver.cursor() as cur:
        await cur.execute(query, params)
        return await cur.fetchall()
