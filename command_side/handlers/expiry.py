"""Expiring holds past their TTL and pending orders past their pay-by time.

Each expiry is its own command transaction: it locks the seats first and
re-reads the hold or order, so a concurrent order, payment, cancellation or
take-over of a lapsed hold wins or loses cleanly and nothing is expired twice.
"""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from command_side.adapters import expiry_due, holds_repo, orders_repo, seat_inventory
from command_side.domain.orders import is_overdue, order_event
from command_side.handlers.holds import expire_lapsed
from command_side.handlers.runner import CommandContext, Decision, Handler
from contracts import OrderExpired


def expire_hold(hold_id: UUID) -> Handler:
    """HoldReleased(expired) if the hold is still live and past its TTL; otherwise nothing.

    The hold is read after its seats are locked, so an extension that committed
    meanwhile is seen (its new expiry keeps the hold live).
    """

    async def handle(conn: AsyncConnection, context: CommandContext) -> Decision:
        await seat_inventory.lock_seats_held_by(conn, hold_ids=[hold_id])
        hold = await holds_repo.get_hold(conn, hold_id)
        if hold is None or hold.status != "live" or hold.expires_at > context.now:
            return Decision("done", {"expired": False})
        events = await expire_lapsed(conn, [hold_id], context.now)
        return Decision("done", {"expired": bool(events)}, show_id=hold.show_id, events=tuple(events))

    return handle


def expire_order(order_id: UUID) -> Handler:
    """OrderExpired if the order is still pending past its pay-by time; otherwise nothing."""

    async def handle(conn: AsyncConnection, context: CommandContext) -> Decision:
        await seat_inventory.lock_seats_held_by(conn, order_id=order_id)
        order = await orders_repo.get_order(conn, order_id)
        if order is None or not is_overdue(order, context.now):
            return Decision("done", {"expired": False})
        await orders_repo.mark_ended(conn, order.order_id, "expired", context.now)
        await seat_inventory.release_order(conn, order.order_id)
        event = order_event(OrderExpired, order)
        return Decision("done", {"expired": True}, show_id=order.show_id, events=(event,))

    return handle


async def overdue(
    conn: AsyncConnection, context: CommandContext, limit: int
) -> tuple[list[UUID], list[UUID]]:
    """Ids of lapsed holds and overdue orders to expire, oldest first."""
    return await expiry_due.due_for_expiry(conn, context.now, limit)
