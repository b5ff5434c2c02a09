"""How a generated order ends: paid (sometimes refunded later), cancelled, expired, or still pending.

Each outcome emits the events the command side would and returns what the
order row and its seats look like afterwards.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from benchmarks.datagen.rows import ShowStream
from contracts import OrderCancelled, OrderExpired, OrderPaid

SeatState = tuple[str, UUID | None, UUID | None, datetime | None]  # status, hold, order, held_until
AVAILABLE: SeatState = ("available", None, None, None)
PAID, REFUNDED, CANCELLED = 0.86, 0.06, 0.05  # the rest of the settled orders expire


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str
    seat: SeatState
    paid_at: datetime | None = None
    payment_ref: str | None = None
    refunded: int = 0
    reason: str | None = None
    ended: datetime | None = None


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    hold_id: UUID
    total: int
    placed: datetime
    pay_by: datetime
    who: dict[str, Any]  # order_id, customer_id, referrer_id, lines: the fields every order event starts with

    @property
    def order_id(self) -> UUID:
        order_id: UUID = self.who["order_id"]
        return order_id


def settle(stream: ShowStream, rng: random.Random, order: PlacedOrder, now: datetime) -> Outcome:
    """Emit the events that end a settled order (drawn from the mix) and describe the result."""
    r, who = rng.random(), order.who
    if r < PAID:
        paid_at = order.placed + timedelta(seconds=40)
        ref = f"pay-{order.order_id.hex[:12]}"
        stream.emit(OrderPaid, {**who, "amount_cents": order.total, "paid_at": paid_at}, paid_at)
        if rng.random() >= REFUNDED:
            return Outcome("paid", ("sold", order.hold_id, order.order_id, None), paid_at, ref)
        ended, reason = min(paid_at + timedelta(hours=30), now), "customer request"
        refund = {**who, "previous_status": "paid", "refunded_cents": order.total, "paid_at": paid_at,
                  "reason": reason}  # fmt: skip
        stream.emit(OrderCancelled, refund, ended)
        return Outcome("cancelled", AVAILABLE, paid_at, ref, order.total, reason, ended)
    if r < PAID + CANCELLED:
        ended, reason = order.placed + timedelta(minutes=3), "changed mind"
        cancel = {**who, "previous_status": "pending", "refunded_cents": 0, "paid_at": None, "reason": reason}
        stream.emit(OrderCancelled, cancel, ended)
        return Outcome("cancelled", AVAILABLE, reason=reason, ended=ended)
    stream.emit(OrderExpired, who, order.pay_by)
    return Outcome("expired", AVAILABLE, ended=order.pay_by)
