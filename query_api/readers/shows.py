"""Shows, per-zone availability and seat maps from the seat_availability views."""

from collections.abc import Sequence
from functools import cache
from typing import Any
from uuid import UUID

from psycopg import sql
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.read_model import PROJECTION_PROGRESS, WATERMARK_VIEWS
from query_api.consistency.tracker import live_label
from query_api.database import driver_rows, one_statement
from query_api.models import ShowPublic, ZoneAvailability
from query_api.readers.versions import DbVersion
from query_api.views import ReadViews

_ZONE_FIELDS = ("zone_id", "name", "price_cents", "capacity", "available", "held", "sold")


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


async def availability_at(
    engine: AsyncEngine, views: ReadViews, kind: str, show_id: UUID
) -> tuple[DbVersion, list[ZoneAvailability]] | None:
    """The show's version (as ``VersionReads.show`` reads it) and its zones as ``zone_availability``
    reads them, from one statement, so one snapshot and one round trip; None: no such show.

    The zones are exactly those of the version returned (tested against the
    two reads in one REPEATABLE READ transaction).
    """
    rows = await one_statement(
        engine, _availability_query(views.read_schema, views.zones.name, kind), {"show": show_id}
    )
    seq, labels = rows[0][0], rows[0][1]
    if seq is None:
        return None
    label = live_label(labels)
    version = DbVersion(label, f"{label}:{seq}", ((show_id, int(seq)),), int(seq))
    zones = [
        ZoneAvailability.model_validate(dict(zip(_ZONE_FIELDS, row[2:], strict=True)))
        for row in rows
        if row[2] is not None
    ]
    return version, zones


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


@cache
def _availability_query(read_schema: str, view: str, kind: str) -> sql.Composed:
    """The show's seq and the live labels on every row (one row of NULL zones when it has none),
    then its zones in layout order."""

    def table(name: str) -> sql.Composed:
        return sql.SQL("{}.{}").format(sql.Identifier(read_schema), sql.Identifier(name))

    return sql.SQL(
        "SELECT w.seq, ARRAY(SELECT projection || '@' || version FROM {progress} WHERE state = 'live'),"
        " {zone_columns} FROM (SELECT (SELECT seq FROM {marks} WHERE show_id = %(show)s) AS seq) AS w"
        " LEFT JOIN {zones} AS z ON z.show_id = %(show)s ORDER BY z.ordinal"
    ).format(
        progress=table(PROJECTION_PROGRESS.name),
        marks=table(WATERMARK_VIEWS[kind]),
        zones=table(view),
        zone_columns=sql.SQL(", ").join(sql.SQL("z.{}").format(sql.Identifier(f)) for f in _ZONE_FIELDS),
    )
