"""Hold rows of the write model."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncConnection

from command_side.adapters.outbox import Write
from command_side.domain.holds import HoldState

_COLUMNS = "hold_id, show_id, customer_id, status, seat_ids, expires_at, created_at"


def _hold_state(row: Row[Any]) -> HoldState:
    return HoldState(
        row.hold_id,
        row.show_id,
        row.customer_id,
        row.status,
        tuple(row.seat_ids),
        row.expires_at.astimezone(UTC),
        row.created_at.astimezone(UTC),
    )


async def get_hold(conn: AsyncConnection, hold_id: UUID) -> HoldState | None:
    """The hold as last committed (read it after locking its seats to rely on it)."""
    row = (
        await conn.execute(
            text(f"SELECT {_COLUMNS} FROM write_model.holds WHERE hold_id = :hold_id"), {"hold_id": hold_id}
        )
    ).first()
    if row is None:
        return None
    return _hold_state(row)


def insert_hold(
    *,
    hold_id: UUID,
    show_id: UUID,
    customer_id: str,
    seat_ids: Sequence[str],
    expires_at: datetime,
    created_at: datetime,
) -> Write:
    """``created_at`` is the command's clock, not the database's: the hold's lifetime counts from it."""
    return Write(
        "INSERT INTO write_model.holds (hold_id, show_id, customer_id, seat_ids, status, expires_at, "
        "created_at) VALUES (:hold_id, :show_id, :customer_id, :seat_ids, 'live', :expires_at, :created_at)",
        {
            "hold_id": hold_id,
            "show_id": show_id,
            "customer_id": customer_id,
            "seat_ids": list(seat_ids),
            "expires_at": expires_at,
            "created_at": created_at,
        },
    )


def extend_hold(hold_id: UUID, expires_at: datetime) -> Write:
    """The live hold (its seats locked, checked live) now expires at ``expires_at``."""
    return Write(
        "UPDATE write_model.holds SET expires_at = :expires_at WHERE hold_id = :hold_id AND status = 'live'",
        {"hold_id": hold_id, "expires_at": expires_at},
    )


async def end_live_holds(
    conn: AsyncConnection, hold_ids: Sequence[UUID], status: str, now: datetime
) -> list[HoldState]:
    """Move live holds to ``status`` (released, expired or ordered); returns those that were live."""
    rows = await conn.execute(
        text(
            "UPDATE write_model.holds SET status = :status, ended_at = :now "
            f"WHERE hold_id = ANY(:hold_ids) AND status = 'live' RETURNING {_COLUMNS}"
        ),
        {"hold_ids": list(hold_ids), "status": status, "now": now},
    )
    return [_hold_state(r) for r in sorted(rows, key=lambda r: str(r.hold_id))]
