"""Orders: lines and totals, payment checks, cancellation and refunds, expiry.

State machine: ``pending`` -> ``paid`` | ``cancelled`` | ``expired``;
``paid`` -> ``cancelled`` (refunded in full). Nothing leaves ``cancelled`` or
``expired``: a late payment must never resurrect seats that may have been resold.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from command_side.domain.errors import Conflict, Forbidden, Invalid
from contracts import OrderLine
from contracts.events import OrderEvent

_Event = TypeVar("_Event", bound=OrderEvent)


@dataclass(frozen=True, slots=True)
class OrderState:
    """An order as the write model stores it: what the order decisions read."""

    order_id: UUID
    show_id: UUID
    hold_id: UUID
    customer_id: str
    referrer_id: str | None
    status: str
    lines: tuple[OrderLine, ...]
    total_cents: int
    pay_by: datetime
    paid_at: datetime | None


def order_event(event_type: type[_Event], order: OrderState, **details: Any) -> _Event:
    """An event of ``order``: its id, customer, referrer and lines as stored, plus the event's ``details``.

    The stored order is the one source of what every later order event repeats,
    so a payment, a cancellation and an expiry all report the order alike.
    """
    return event_type(
        order_id=order.order_id,
        customer_id=order.customer_id,
        referrer_id=order.referrer_id,
        lines=order.lines,
        **details,
    )


def order_lines(
    seat_zones: Mapping[str, str], prices: Mapping[str, int]
) -> tuple[tuple[OrderLine, ...], int]:
    """One line per seat (sorted by seat id) priced by its zone, and the total in cents."""
    lines = tuple(
        OrderLine(seat_id=seat, zone_id=zone, price_cents=prices[zone])
        for seat, zone in sorted(seat_zones.items())
    )
    return lines, sum(line.price_cents for line in lines)


def check_order_owner(order: OrderState, customer_id: str | None) -> None:
    """``customer_id`` None means an operator, who may act on any order."""
    if customer_id is not None and customer_id != order.customer_id:
        raise Forbidden("not_your_order", "this order belongs to another customer")


def check_payment(order: OrderState, amount_cents: int, now: datetime) -> None:
    """Only a pending order within its pay-by time takes a payment, and only of its exact total."""
    if order.status != "pending" or order.pay_by <= now:
        status = "expired" if order.status == "pending" else order.status
        raise Conflict("order_not_payable", f"this order is {status} and cannot be paid", status=status)
    if amount_cents != order.total_cents:
        raise Invalid(
            "wrong_amount",
            "amount_cents must equal the order's total",
            expected_cents=order.total_cents,
            amount_cents=amount_cents,
        )


def refund_for_cancel(order: OrderState) -> int:
    """Cancel a pending (no refund) or paid (full refund) order; anything else is a conflict."""
    if order.status == "pending":
        return 0
    if order.status == "paid":
        return order.total_cents
    raise Conflict("order_not_cancellable", f"this order is already {order.status}", status=order.status)


def is_overdue(order: OrderState, now: datetime) -> bool:
    """A pending order past its pay-by time, which the expiry turns into ``expired``."""
    return order.status == "pending" and order.pay_by <= now
