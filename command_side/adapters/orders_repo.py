"""Order rows of the write model."""

from datetime import UTC, datetime
from uuid import UUID

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from command_side.domain.orders import OrderState
from contracts import OrderLine

_COLUMNS = "order_id, show_id, hold_id, customer_id, referrer_id, status, lines, total_cents, pay_by, paid_at"


async def get_order(conn: AsyncConnection, order_id: UUID) -> OrderState | None:
    """The order as last committed (read it after locking its seats to rely on it)."""
    row = (
        await conn.execute(
            text(f"SELECT {_COLUMNS} FROM write_model.orders WHERE order_id = :order_id"),
            {"order_id": order_id},
        )
    ).first()
    if row is None:
        return None
    return OrderState(
        order_id=row.order_id,
        show_id=row.show_id,
        hold_id=row.hold_id,
        customer_id=row.customer_id,
        referrer_id=row.referrer_id,
        status=row.status,
        lines=tuple(OrderLine.model_validate(line) for line in row.lines),
        total_cents=int(row.total_cents),
        # read back in UTC whatever the session's time zone: events carry these values
        pay_by=row.pay_by.astimezone(UTC),
        paid_at=row.paid_at.astimezone(UTC) if row.paid_at is not None else None,
    )


async def insert_order(
    conn: AsyncConnection,
    order: OrderState,
) -> None:
    await conn.execute(
        text(
            "INSERT INTO write_model.orders (order_id, show_id, hold_id, customer_id, referrer_id, lines, "
            "total_cents, status, pay_by) VALUES (:order_id, :show_id, :hold_id, :customer_id, "
            ":referrer_id, CAST(:lines AS jsonb), :total_cents, 'pending', :pay_by)"
        ),
        {
            "order_id": order.order_id,
            "show_id": order.show_id,
            "hold_id": order.hold_id,
            "customer_id": order.customer_id,
            "referrer_id": order.referrer_id,
            "lines": orjson.dumps([line.model_dump() for line in order.lines]).decode(),
            "total_cents": order.total_cents,
            "pay_by": order.pay_by,
        },
    )


async def mark_paid(conn: AsyncConnection, order_id: UUID, payment_ref: str, paid_at: datetime) -> None:
    await conn.execute(
        text(
            "UPDATE write_model.orders SET status = 'paid', payment_ref = :payment_ref, paid_at = :paid_at "
            "WHERE order_id = :order_id"
        ),
        {"order_id": order_id, "payment_ref": payment_ref, "paid_at": paid_at},
    )


async def mark_ended(
    conn: AsyncConnection,
    order_id: UUID,
    status: str,
    now: datetime,
    *,
    refunded_cents: int = 0,
    reason: str | None = None,
) -> None:
    """Move an order to ``cancelled`` or ``expired``."""
    await conn.execute(
        text(
            "UPDATE write_model.orders SET status = :status, ended_at = :now, "
            "refunded_cents = :refunded_cents, cancel_reason = :reason WHERE order_id = :order_id"
        ),
        {
            "order_id": order_id,
            "status": status,
            "now": now,
            "refunded_cents": refunded_cents,
            "reason": reason,
        },
    )
