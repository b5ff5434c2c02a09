"""Commands: what a caller asks the write model to do (imperative names)."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from command_side.domain.layout import ZoneSpec


@dataclass(frozen=True, slots=True)
class CreateVenue:
    name: str
    zones: tuple[ZoneSpec, ...]


@dataclass(frozen=True, slots=True)
class ScheduleShow:
    venue_id: UUID
    title: str
    starts_at: datetime
    prices: dict[str, int]


@dataclass(frozen=True, slots=True)
class HoldSeats:
    """Hold explicit seats; ``seat_ids`` as the caller sent them (checked by the domain)."""

    show_id: UUID
    customer_id: str
    seat_ids: tuple[str, ...]
    ttl_seconds: int | None


@dataclass(frozen=True, slots=True)
class HoldBestAvailable:
    show_id: UUID
    customer_id: str
    zone_id: str
    quantity: int
    ttl_seconds: int | None


@dataclass(frozen=True, slots=True)
class ReleaseHold:
    """``customer_id`` None: an operator acting on any hold."""

    hold_id: UUID
    customer_id: str | None


@dataclass(frozen=True, slots=True)
class ExtendHold:
    """Move a live hold's expiry to ``ttl_seconds`` from now; ``customer_id`` None: an operator."""

    hold_id: UUID
    customer_id: str | None
    ttl_seconds: int


@dataclass(frozen=True, slots=True)
class PlaceOrder:
    hold_id: UUID
    customer_id: str | None
    referrer_id: str | None


@dataclass(frozen=True, slots=True)
class PayOrder:
    order_id: UUID
    customer_id: str | None
    payment_ref: str
    amount_cents: int


@dataclass(frozen=True, slots=True)
class CancelOrder:
    order_id: UUID
    customer_id: str | None
    reason: str | None
