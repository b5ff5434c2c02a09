"""Every event type, v1. Past tense; frozen; never changed in place.

A published version is never edited: a change is a new version plus an upcaster
registered with ``contracts.event_types.EventRegistry.register_upcaster``. Payloads
are self-contained so that projections can fold them without looking anything
up: order events carry their lines (seat, zone, price) and the referrer.
Timestamps are UTC (``contracts.timestamps``).
"""

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.timestamps import UtcDatetime

LAYOUT_ID = r"^[A-Za-z0-9_]{1,16}$"
SEAT_ID = r"^[A-Za-z0-9_]{1,16}-[A-Za-z0-9_]{1,16}-[1-9][0-9]{0,4}$"


def seat_id_for(zone_id: str, row: str, number: int) -> str:
    """The stable seat id derived from the layout, e.g. ``A-12-7``."""
    return f"{zone_id}-{row}-{number}"


class EventPayload(BaseModel):
    """Base of every payload; ``event_type``/``event_version`` name it in the envelope."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    event_type: ClassVar[str]
    event_version: ClassVar[int]


class RowLayout(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    row: str = Field(pattern=LAYOUT_ID)
    seats: int = Field(ge=1, le=1000, description="Seats are numbered 1..seats.")


class ZoneLayout(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    zone_id: str = Field(pattern=LAYOUT_ID)
    name: str = Field(min_length=1, max_length=200)
    price_cents: int = Field(ge=0)
    rows: tuple[RowLayout, ...] = Field(min_length=1)

    @property
    def capacity(self) -> int:
        return sum(r.seats for r in self.rows)


class OrderLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    seat_id: str = Field(pattern=SEAT_ID)
    zone_id: str = Field(pattern=LAYOUT_ID)
    price_cents: int = Field(ge=0)


class ShowScheduled(EventPayload):
    """A show was put on sale; carries the venue layout so the stream is self-contained."""

    event_type: ClassVar[str] = "ShowScheduled"
    event_version: ClassVar[int] = 1
    show_id: UUID
    venue_id: UUID
    venue_name: str
    title: str
    starts_at: UtcDatetime
    zones: tuple[ZoneLayout, ...] = Field(min_length=1)


class HoldEvent(EventPayload):
    """The fields every hold event starts with, in this order (the order of their JSON keys)."""

    hold_id: UUID
    customer_id: str
    seat_ids: tuple[str, ...] = Field(min_length=1)


class SeatsHeld(HoldEvent):
    """Seats went from available to held for a customer until ``expires_at``."""

    event_type: ClassVar[str] = "SeatsHeld"
    event_version: ClassVar[int] = 1
    expires_at: UtcDatetime


class HoldReleased(HoldEvent):
    """A live hold ended without an order; its seats are available again."""

    event_type: ClassVar[str] = "HoldReleased"
    event_version: ClassVar[int] = 1
    reason: Literal["released", "expired"]


class HoldExtended(HoldEvent):
    """A live hold's expiry moved to ``expires_at`` (never past its maximum lifetime); seats stay held."""

    event_type: ClassVar[str] = "HoldExtended"
    event_version: ClassVar[int] = 1
    expires_at: UtcDatetime


# Not an OrderEvent: v1 puts hold_id second on the wire, before the fields the
# later order events start with, and a base class would move it after them.
class OrderPlaced(EventPayload):
    """A live hold became a pending order; its seats stay held until payment."""

    event_type: ClassVar[str] = "OrderPlaced"
    event_version: ClassVar[int] = 1
    order_id: UUID
    hold_id: UUID
    customer_id: str
    referrer_id: str | None
    lines: tuple[OrderLine, ...] = Field(min_length=1)
    total_cents: int = Field(ge=0)
    pay_by: UtcDatetime


class OrderEvent(EventPayload):
    """The fields every order event after ``OrderPlaced`` starts with, in this order (their JSON keys')."""

    order_id: UUID
    customer_id: str
    referrer_id: str | None
    lines: tuple[OrderLine, ...] = Field(min_length=1)


class OrderPaid(OrderEvent):
    """A pending order was paid in full; its seats are sold."""

    event_type: ClassVar[str] = "OrderPaid"
    event_version: ClassVar[int] = 1
    amount_cents: int = Field(ge=0)
    paid_at: UtcDatetime


class OrderCancelled(OrderEvent):
    """An order was cancelled; its seats are available again, a paid order refunded."""

    event_type: ClassVar[str] = "OrderCancelled"
    event_version: ClassVar[int] = 1
    previous_status: Literal["pending", "paid"]
    refunded_cents: int = Field(ge=0)
    paid_at: UtcDatetime | None = Field(description="When the refunded payment was made.")
    reason: str | None = None


class OrderExpired(OrderEvent):
    """A pending order was not paid by its pay-by time; its seats are available again."""

    event_type: ClassVar[str] = "OrderExpired"
    event_version: ClassVar[int] = 1


ALL_PAYLOADS: tuple[type[EventPayload], ...] = (
    ShowScheduled,
    SeatsHeld,
    HoldReleased,
    HoldExtended,
    OrderPlaced,
    OrderPaid,
    OrderCancelled,
    OrderExpired,
)
