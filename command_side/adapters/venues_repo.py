"""Venues, their layout, shows and prices in the write model."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from command_side.domain.layout import RowSpec, SeatSpec, ZoneSpec


@dataclass(frozen=True, slots=True)
class VenueLayout:
    venue_id: UUID
    name: str
    zones: tuple[ZoneSpec, ...]


async def insert_venue(
    conn: AsyncConnection, venue_id: UUID, name: str, zones: Sequence[ZoneSpec], seats: Sequence[SeatSpec]
) -> None:
    """The venue row and its whole layout (zones, rows, seats) in bulk."""
    await conn.execute(
        text("INSERT INTO write_model.venues (venue_id, name, seat_count) VALUES (:v, :name, :n)"),
        {"v": venue_id, "name": name, "n": len(seats)},
    )
    venue = ("venue_id", venue_id)
    await _insert_all(
        conn,
        "zones",
        venue,
        zone_id=("text", [z.zone_id for z in zones]),
        name=("text", [z.name for z in zones]),
        ordinal=("int", list(range(len(zones)))),
    )
    rows = [(z.zone_id, r, i) for z in zones for i, r in enumerate(z.rows)]
    await _insert_all(
        conn,
        "rows",
        venue,
        zone_id=("text", [z for z, _, _ in rows]),
        row=("text", [r.row for _, r, _ in rows]),
        ordinal=("int", [i for _, _, i in rows]),
        seats=("int", [r.seats for _, r, _ in rows]),
    )
    await _insert_all(
        conn,
        "seats",
        venue,
        seat_id=("text", [s.seat_id for s in seats]),
        zone_id=("text", [s.zone_id for s in seats]),
        row=("text", [s.row for s in seats]),
        number=("int", [s.number for s in seats]),
    )


async def _insert_all(
    conn: AsyncConnection, table: str, owner: tuple[str, UUID], **columns: tuple[str, list[Any]]
) -> None:
    """Rows of ``write_model.<table>`` in one statement: the i-th of each column's values, and the owner's id.

    ``columns`` maps a column to its SQL element type and its values (lists of
    one length); table, column and type names are this module's constants.
    """
    owner_column, owner_id = owner
    arrays = ", ".join(f"CAST(:{column} AS {sql_type}[])" for column, (sql_type, _) in columns.items())
    await conn.execute(
        text(
            f"INSERT INTO write_model.{table} ({owner_column}, {', '.join(columns)}) "
            f"SELECT :owner, * FROM unnest({arrays})"
        ),
        {"owner": owner_id} | {column: values for column, (_, values) in columns.items()},
    )


async def get_venue_layout(conn: AsyncConnection, venue_id: UUID) -> VenueLayout | None:
    venue = (
        await conn.execute(text("SELECT name FROM write_model.venues WHERE venue_id = :v"), {"v": venue_id})
    ).first()
    if venue is None:
        return None
    rows = await conn.execute(
        text(
            "SELECT z.zone_id, z.name, r.row, r.seats FROM write_model.zones z "
            "JOIN write_model.rows r USING (venue_id, zone_id) WHERE z.venue_id = :v "
            "ORDER BY z.ordinal, r.ordinal"
        ),
        {"v": venue_id},
    )
    zones: dict[str, tuple[str, list[RowSpec]]] = {}
    for r in rows:
        zones.setdefault(r.zone_id, (r.name, []))[1].append(RowSpec(r.row, r.seats))
    return VenueLayout(
        venue_id,
        venue.name,
        tuple(ZoneSpec(zone_id, name, tuple(rs)) for zone_id, (name, rs) in zones.items()),
    )


async def insert_show(
    conn: AsyncConnection,
    *,
    show_id: UUID,
    venue_id: UUID,
    title: str,
    starts_at: datetime,
    prices: Mapping[str, int],
) -> None:
    """The show at stream version 0, its prices, and one available inventory row per seat."""
    await conn.execute(
        text(
            "INSERT INTO write_model.shows (show_id, venue_id, title, starts_at, stream_version) "
            "VALUES (:s, :v, :title, :starts_at, 0)"
        ),
        {"s": show_id, "v": venue_id, "title": title, "starts_at": starts_at},
    )
    await _insert_all(
        conn,
        "show_prices",
        ("show_id", show_id),
        zone_id=("text", list(prices)),
        price_cents=("bigint", list(prices.values())),
    )
    await conn.execute(
        text(
            "INSERT INTO write_model.seat_inventory "
            "(show_id, seat_id, zone_id, row, row_ordinal, row_seats, number) "
            "SELECT :s, st.seat_id, st.zone_id, st.row, r.ordinal, r.seats, st.number "
            "FROM write_model.seats st JOIN write_model.rows r USING (venue_id, zone_id, row) "
            "WHERE st.venue_id = :v"
        ),
        {"s": show_id, "v": venue_id},
    )


async def show_prices(conn: AsyncConnection, show_id: UUID) -> dict[str, int] | None:
    """Zone prices of a show, or None when the show does not exist."""
    rows = (
        await conn.execute(
            text("SELECT zone_id, price_cents FROM write_model.show_prices WHERE show_id = :s"),
            {"s": show_id},
        )
    ).all()
    return {r.zone_id: int(r.price_cents) for r in rows} if rows else None
