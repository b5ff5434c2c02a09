"""Placing, paying and cancelling orders."""

from datetime import timedelta
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncConnection

from command_side.adapters import holds_repo, orders_repo, seat_inventory, venues_repo
from command_side.domain.commands import CancelOrder, PayOrder, PlaceOrder
from command_side.domain.errors import NotFound
from command_side.domain.holds import check_hold_live
from command_side.domain.orders import (
    OrderState,
    check_order_owner,
    check_payment,
    order_event,
    order_lines,
    refund_for_cancel,
)
from command_side.handlers.holds import locked_hold
from command_side.handlers.runner import CommandContext, Decision, Handler
from contracts import OrderCancelled, OrderPaid, OrderPlaced


def place_order(command: PlaceOrder, pay_by_seconds: int) -> Handler:
    """Turn a live hold of the customer into a pending order payable until ``pay_by``."""

    async def handle(conn: AsyncConnection, context: CommandContext) -> Decision:
        hold, seat_zones = await locked_hold(conn, command.hold_id, command.customer_id)
        check_hold_live(hold, context.now)
        prices = await venues_repo.show_prices(conn, hold.show_id) or {}
        lines, total = order_lines(seat_zones, prices)
        order = OrderState(
            order_id=uuid4(),
            show_id=hold.show_id,
            hold_id=hold.hold_id,
            customer_id=hold.customer_id,
            referrer_id=command.referrer_id,
            status="pending",
            lines=lines,
            total_cents=total,
            pay_by=context.now + timedelta(seconds=pay_by_seconds),
            paid_at=None,
        )
        await holds_repo.end_live_holds(conn, [hold.hold_id], "ordered", context.now)
        await orders_repo.insert_order(conn, order)
        await seat_inventory.attach_order(conn, hold.hold_id, order.order_id)
        event = OrderPlaced(
            order_id=order.order_id,
            hold_id=hold.hold_id,
            customer_id=order.customer_id,
            referrer_id=order.referrer_id,
            lines=lines,
            total_cents=total,
            pay_by=order.pay_by,
        )
        body = {
            "order_id": order.order_id,
            "show_id": order.show_id,
            "status": "pending",
            "total_cents": total,
            "seat_ids": [line.seat_id for line in lines],
            "pay_by": order.pay_by,
        }
        return Decision("created", body, show_id=order.show_id, events=(event,))

    return handle


def pay_order(command: PayOrder) -> Handler:
    """Record the exact payment of a pending order within its pay-by time; its seats are sold."""

    async def handle(conn: AsyncConnection, context: CommandContext) -> Decision:
        order = await _locked_order(conn, command.order_id, command.customer_id)
        check_payment(order, command.amount_cents, context.now)
        await orders_repo.mark_paid(conn, order.order_id, command.payment_ref, context.now)
        await seat_inventory.mark_sold(conn, order.order_id)
        event = order_event(OrderPaid, order, amount_cents=command.amount_cents, paid_at=context.now)
        body = {"order_id": order.order_id, "status": "paid", "amount_cents": command.amount_cents}
        return Decision("done", body, show_id=order.show_id, events=(event,))

    return handle


def cancel_order(command: CancelOrder) -> Handler:
    """Cancel a pending or paid order (a paid one is refunded in full); its seats become available."""

    async def handle(conn: AsyncConnection, context: CommandContext) -> Decision:
        order = await _locked_order(conn, command.order_id, command.customer_id)
        refunded = refund_for_cancel(order)
        await orders_repo.mark_ended(
            conn, order.order_id, "cancelled", context.now, refunded_cents=refunded, reason=command.reason
        )
        await seat_inventory.release_order(conn, order.order_id)
        event = order_event(
            OrderCancelled,
            order,
            previous_status="paid" if order.status == "paid" else "pending",
            refunded_cents=refunded,
            paid_at=order.paid_at,
            reason=command.reason,
        )
        body = {"order_id": order.order_id, "status": "cancelled", "refunded_cents": refunded}
        return Decision("done", body, show_id=order.show_id, events=(event,))

    return handle


async def _locked_order(conn: AsyncConnection, order_id: UUID, customer_id: str | None) -> OrderState:
    """The order read after locking its seats (which every change of the order locks first)."""
    await seat_inventory.lock_seats_held_by(conn, order_id=order_id)
    order = await orders_repo.get_order(conn, order_id)
    if order is None:
        raise NotFound("order_not_found", "no order has this id", order_id=str(order_id))
    check_order_owner(order, customer_id)
    return order
