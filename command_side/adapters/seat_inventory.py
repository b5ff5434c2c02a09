"""Seat inventory rows of a show: locking, reading candidates, changing holders.

Lock discipline (prevents deadlocks and guards hold/order state): a command
locks the seat rows it changes, in seat id order, before it reads or changes
the hold or order that holds them, and it bumps the show's stream last.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from command_side.adapters import direct
from command_side.adapters.outbox import Write
from command_side.domain.holds import SeatState
from command_side.domain.seating import SeatCandidate


def seat_lock(show_id: UUID, seat_ids: Sequence[str], *, skip_locked: bool = False) -> direct.Statement:
    """The statement of ``lock_seats``, to pipeline after others; its rows make ``seat_states``."""
    mode = "FOR UPDATE SKIP LOCKED" if skip_locked else "FOR UPDATE"
    return direct.Statement(
        f"SELECT seat_id, status, hold_id, order_id, held_until FROM write_model.seat_inventory "
        f"WHERE show_id = :show_id AND seat_id = ANY(:seat_ids) ORDER BY seat_id {mode}",
        {"show_id": show_id, "seat_ids": list(seat_ids)},
    )


def seat_states(rows: Sequence[Sequence[Any]]) -> list[SeatState]:
    return [SeatState(*r) for r in rows]


async def lock_seats(
    conn: AsyncConnection, show_id: UUID, seat_ids: Sequence[str], *, skip_locked: bool = False
) -> list[SeatState]:
    """Lock the named seats of a show in seat id order; with ``skip_locked``, only those free of locks."""
    statement = seat_lock(show_id, seat_ids, skip_locked=skip_locked)
    # the hot path of every hold: run without SQLAlchemy's per-statement overhead
    return seat_states(await direct.fetch(conn, statement.sql, statement.params))


async def lock_seats_held_by(
    conn: AsyncConnection, *, hold_ids: Sequence[UUID] = (), order_id: UUID | None = None
) -> dict[str, str]:
    """Lock the seats of some holds or of an order, in seat id order; returns seat id -> zone id."""
    params: dict[str, object]
    if order_id is not None:
        where, params = "order_id = :order_id", {"order_id": order_id}
    else:
        where, params = "hold_id = ANY(:hold_ids)", {"hold_ids": list(hold_ids)}
    rows = await conn.execute(
        text(
            f"SELECT seat_id, zone_id FROM write_model.seat_inventory WHERE {where} "
            "ORDER BY show_id, seat_id FOR UPDATE"
        ),
        params,
    )
    return {r.seat_id: r.zone_id for r in rows}


_FREE_SEATS_FROM = (
    "SELECT seat_id, row_ordinal, row_seats, number FROM ("
    " (SELECT seat_id, row_ordinal, row_seats, number FROM write_model.seat_inventory"
    "  WHERE show_id = :show_id AND zone_id = :zone_id AND status = 'available' AND row_ordinal >= :from_row"
    "  ORDER BY row_ordinal, number LIMIT :limit)"
    " UNION ALL"
    " (SELECT seat_id, row_ordinal, row_seats, number FROM write_model.seat_inventory"
    "  WHERE show_id = :show_id AND zone_id = :zone_id AND status = 'held' AND order_id IS NULL"
    "  AND held_until <= :now AND row_ordinal >= :from_row)"
    ") AS free ORDER BY row_ordinal, number LIMIT :limit"
)


def free_seats_read(
    show_id: UUID, zone_id: str, now: datetime, *, from_row: int, limit: int
) -> direct.Statement:
    """The statement of ``free_seats_from``, to pipeline after others; its rows make ``seat_candidates``."""
    params = {"show_id": show_id, "zone_id": zone_id, "now": now, "from_row": from_row, "limit": limit}
    return direct.Statement(_FREE_SEATS_FROM, params)


def seat_candidates(rows: Sequence[Sequence[Any]]) -> list[SeatCandidate]:
    return [SeatCandidate(*r) for r in rows]


async def free_seats_from(
    conn: AsyncConnection, show_id: UUID, zone_id: str, now: datetime, *, from_row: int, limit: int
) -> list[SeatCandidate]:
    """Up to ``limit`` seats of a zone free now (available, or held by a lapsed hold), in layout
    order from row ``from_row``; an unlocked snapshot.

    Reads two partial indexes (available seats by row and number, live holds' seats by expiry),
    so the cost is ``limit``, whatever the size of the zone.
    """
    statement = free_seats_read(show_id, zone_id, now, from_row=from_row, limit=limit)
    return seat_candidates(await direct.fetch(conn, statement.sql, statement.params))


def mark_held(show_id: UUID, seat_ids: Sequence[str], hold_id: UUID, until: datetime) -> Write:
    """The seats (already locked and checked free) become held by the hold until ``until``."""
    return Write(
        "UPDATE write_model.seat_inventory SET status = 'held', hold_id = :hold_id, order_id = NULL, "
        "held_until = :expires_at WHERE show_id = :show_id AND seat_id = ANY(:seat_ids)",
        {"show_id": show_id, "seat_ids": list(seat_ids), "hold_id": hold_id, "expires_at": until},
    )


def extend_held(hold_id: UUID, until: datetime) -> Write:
    """The seats of a live hold (locked, not yet an order's) are held until ``until``."""
    return Write(
        "UPDATE write_model.seat_inventory SET held_until = :expires_at "
        "WHERE hold_id = :hold_id AND order_id IS NULL AND status = 'held'",
        {"hold_id": hold_id, "expires_at": until},
    )


async def release_holds(conn: AsyncConnection, hold_ids: Sequence[UUID]) -> None:
    """Seats of holds that ended without an order become available."""
    await conn.execute(
        text(
            "UPDATE write_model.seat_inventory SET status = 'available', hold_id = NULL, held_until = NULL "
            "WHERE hold_id = ANY(:hold_ids) AND order_id IS NULL"
        ),
        {"hold_ids": list(hold_ids)},
    )


async def attach_order(conn: AsyncConnection, hold_id: UUID, order_id: UUID) -> None:
    """The hold's seats now belong to a pending order (still ``held``, no longer lapsing with the hold)."""
    await conn.execute(
        text(
            "UPDATE write_model.seat_inventory SET order_id = :order_id, held_until = NULL "
            "WHERE hold_id = :hold_id"
        ),
        {"hold_id": hold_id, "order_id": order_id},
    )


async def mark_sold(conn: AsyncConnection, order_id: UUID) -> None:
    await conn.execute(
        text("UPDATE write_model.seat_inventory SET status = 'sold' WHERE order_id = :order_id"),
        {"order_id": order_id},
    )


async def release_order(conn: AsyncConnection, order_id: UUID) -> None:
    """Seats of a cancelled or expired order become available."""
    await conn.execute(
        text(
            "UPDATE write_model.seat_inventory SET status = 'available', hold_id = NULL, order_id = NULL, "
            "held_until = NULL WHERE order_id = :order_id"
        ),
        {"order_id": order_id},
    )
