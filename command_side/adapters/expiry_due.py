"""What the expirer has to do: live holds past their TTL and pending orders past their pay-by time."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

# Each branch is served by its table's partial index (live holds, pending orders).
_DUE = text(
    "(SELECT 'hold' AS kind, hold_id AS id, expires_at AS due FROM write_model.holds "
    "WHERE status = 'live' AND expires_at <= :now ORDER BY expires_at LIMIT :limit) "
    "UNION ALL "
    "(SELECT 'order', order_id, pay_by FROM write_model.orders "
    "WHERE status = 'pending' AND pay_by <= :now ORDER BY pay_by LIMIT :limit) "
    "ORDER BY kind, due"
)


async def due_for_expiry(conn: AsyncConnection, now: datetime, limit: int) -> tuple[list[UUID], list[UUID]]:
    """Ids of the lapsed holds and of the overdue orders at ``now``: each oldest first, ``limit`` at most.

    A snapshot, read in one round trip: each expiry re-checks its hold or order
    under its seats' locks before acting on it.
    """
    holds: list[UUID] = []
    orders: list[UUID] = []
    for row in await conn.execute(_DUE, {"now": now, "limit": limit}):
        (holds if row.kind == "hold" else orders).append(row.id)
    return holds, orders
