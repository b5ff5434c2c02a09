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
from query_api.database import one_statement
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


async def availability_at(
    engine: AsyncEngine, views: ReadViews, kind: str, show_id: UUID
) -> tuple[DbVersion, list[ZoneAvailability]] | None:
    """The show's version (as ``VersionReads.show`` reads it) and its zones in layout order with their
    counts, from one statement, so one snapshot and one round trip; None: no such show.

    The zones are exactly those of the version returned (tested against the
    two reads in one REPEATABLE READ transaction).
    """
    rows = await one_statement(
        engine, _availability_query(views.read_schema, views.zones.name, kind), {"show": show_id}
    )
    version = _version(rows[0], show_id)
    if version is None:
        return None
    zones = [
        ZoneAvailability.model_validate(dict(zip(_ZONE_FIELDS, row[2:], strict=True)))
        for row in rows
        if row[2] is not None
    ]
    return version, zones


async def seats_at(
    engine: AsyncEngine, views: ReadViews, kind: str, show_id: UUID, zone_id: str | None
) -> tuple[DbVersion, list[tuple[Any, ...]]] | None:
    """The show's version and ``(seat_id, zone_id, row, number, status)`` of its seats (or one
    zone's) in layout order, from one statement (one snapshot, one round trip); None: no such show.
    The rows come as one row of arrays, the version once."""
    query = _seats_query(views.read_schema, views.seats.name, kind, by_zone=zone_id is not None)
    row = (await one_statement(engine, query, {"show": show_id, "zone": zone_id}))[0]
    version = _version(row, show_id)
    if version is None:
        return None
    return version, list(zip(*(column or () for column in row[2:]), strict=True))


async def seat_statuses_at(
    engine: AsyncEngine, views: ReadViews, kind: str, show_id: UUID
) -> tuple[DbVersion, str] | None:
    """The show's version and every seat's status code (``a``, ``h``, ``s``) in layout order, from
    one statement; None: no such show."""
    query = _statuses_query(views.read_schema, views.seats.name, kind)
    row = (await one_statement(engine, query, {"show": show_id}))[0]
    version = _version(row, show_id)
    return None if version is None else (version, row[2] or "")


def _version(row: Sequence[Any], show_id: UUID) -> DbVersion | None:
    """``VersionReads.show``'s version from a row starting with the show's seq and the live labels."""
    if row[0] is None:
        return None
    label, seq = live_label(row[1]), int(row[0])
    return DbVersion(label, f"{label}:{seq}", ((show_id, seq),), seq)


def _table(read_schema: str, name: str) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(read_schema), sql.Identifier(name))


def _versioned(read_schema: str, kind: str, rest: str, **parts: sql.Composable) -> sql.Composed:
    """``SELECT seq, live labels, <rest>``: ``w`` is the show's seq (one row, NULL for no show)."""
    return sql.SQL(
        "SELECT w.seq, ARRAY(SELECT projection || '@' || version FROM {progress} WHERE state = 'live'), "
        + rest
    ).format(
        progress=_table(read_schema, PROJECTION_PROGRESS.name),
        from_marks=sql.SQL("FROM (SELECT (SELECT seq FROM {} WHERE show_id = %(show)s) AS seq) AS w").format(
            _table(read_schema, WATERMARK_VIEWS[kind])
        ),
        **parts,
    )


@cache
def _availability_query(read_schema: str, view: str, kind: str) -> sql.Composed:
    """The version on every row (one row of NULL zones when there are none), zones in layout order."""
    return _versioned(
        read_schema,
        kind,
        "{columns} {from_marks} LEFT JOIN {zones} AS z ON z.show_id = %(show)s ORDER BY z.ordinal",
        zones=_table(read_schema, view),
        columns=sql.SQL(", ").join(sql.SQL("z.{}").format(sql.Identifier(f)) for f in _ZONE_FIELDS),
    )


@cache
def _seats_query(read_schema: str, view: str, kind: str, *, by_zone: bool) -> sql.Composed:
    """The version, then one array per column of ``seats_at``'s rows, in layout order."""
    zone = sql.SQL(" AND zone_id = %(zone)s") if by_zone else sql.SQL("")
    return _versioned(
        read_schema,
        kind,
        "s.* {from_marks} CROSS JOIN (SELECT array_agg(seat_id ORDER BY ordinal),"
        ' array_agg(zone_id ORDER BY ordinal), array_agg("row" ORDER BY ordinal),'
        " array_agg(number ORDER BY ordinal), array_agg(status ORDER BY ordinal)"
        " FROM {seats} WHERE show_id = %(show)s{zone}) AS s",
        seats=_table(read_schema, view),
        zone=zone,
    )


@cache
def _statuses_query(read_schema: str, view: str, kind: str) -> sql.Composed:
    """The version, then every seat's status code in layout order (``SeatLayouts``)."""
    return _versioned(
        read_schema,
        kind,
        "(SELECT string_agg(left(status, 1), '' ORDER BY ordinal) FROM {seats} WHERE show_id = %(show)s)"
        " {from_marks}",
        seats=_table(read_schema, view),
    )
