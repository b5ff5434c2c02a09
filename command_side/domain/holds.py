"""Holds: request bounds, TTL policy, and whether requested seats can be held now."""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from command_side.domain.errors import Conflict, Forbidden, Invalid

MAX_SEATS_PER_HOLD = 20
MAX_BEST_AVAILABLE = 10


@dataclass(frozen=True, slots=True)
class HoldPolicy:
    """How long a hold lives: ``default_ttl`` when unspecified, within [min_ttl, max_ttl] seconds;
    extended, never past ``max_lifetime`` seconds after it was made; and how many seats of a show a
    customer may hold or own at once (``max_seats_per_customer``, 0: no limit)."""

    default_ttl: int = 600
    min_ttl: int = 30
    max_ttl: int = 3600
    max_lifetime: int = 1800
    max_seats_per_customer: int = 10

    def ttl(self, requested: int | None) -> int:
        if requested is None:
            return self.default_ttl
        if not self.min_ttl <= requested <= self.max_ttl:
            raise Invalid(
                "ttl_out_of_range",
                f"ttl_seconds must be between {self.min_ttl} and {self.max_ttl}",
                min=self.min_ttl,
                max=self.max_ttl,
            )
        return requested


def check_seat_ids(seat_ids: Sequence[str]) -> tuple[str, ...]:
    """Explicitly requested seats: 1..20 distinct ids, returned sorted (the lock order)."""
    if not 1 <= len(seat_ids) <= MAX_SEATS_PER_HOLD:
        raise Invalid("seat_count_out_of_range", f"hold 1 to {MAX_SEATS_PER_HOLD} seats at a time")
    duplicated = sorted(s for s, n in Counter(seat_ids).items() if n > 1)
    if duplicated:
        raise Invalid("duplicate_seats", "a seat is requested more than once", seat_ids=duplicated)
    return tuple(sorted(seat_ids))


def check_quantity(quantity: int) -> int:
    if not 1 <= quantity <= MAX_BEST_AVAILABLE:
        raise Invalid("quantity_out_of_range", f"quantity must be between 1 and {MAX_BEST_AVAILABLE}")
    return quantity


@dataclass(frozen=True, slots=True)
class SeatState:
    """A seat of a show as the write model has it, read under its row lock."""

    seat_id: str
    status: str
    hold_id: UUID | None
    order_id: UUID | None
    held_until: datetime | None

    def lapsed(self, now: datetime) -> bool:
        """Held by a live hold (not an order) whose TTL has passed but that is not yet expired."""
        return (
            self.status == "held"
            and self.order_id is None
            and self.held_until is not None
            and self.held_until <= now
        )

    def free(self, now: datetime) -> bool:
        return self.status == "available" or self.lapsed(now)


def decide_hold(requested: Sequence[str], states: Iterable[SeatState], now: datetime) -> tuple[UUID, ...]:
    """The lapsed holds to expire first if every requested seat can be held now.

    Raises Invalid ``unknown_seats`` for seats not in the show's layout and
    Conflict ``seats_unavailable`` listing every seat held or sold by someone else.
    """
    by_id = {s.seat_id: s for s in states}
    unknown = sorted(set(requested) - by_id.keys())
    if unknown:
        raise Invalid("unknown_seats", "these seats are not in the show's layout", seat_ids=unknown)
    taken = sorted(s for s in requested if not by_id[s].free(now))
    if taken:
        raise Conflict("seats_unavailable", "some seats are held or sold", seat_ids=taken)
    return tuple(sorted({h for s in requested if (h := by_id[s].hold_id) is not None}, key=str))


@dataclass(frozen=True, slots=True)
class HoldState:
    """A hold as the write model stores it: what the hold decisions read."""

    hold_id: UUID
    show_id: UUID
    customer_id: str
    status: str
    seat_ids: tuple[str, ...]
    expires_at: datetime
    created_at: datetime


def check_hold_owner(hold: HoldState, customer_id: str | None) -> None:
    """``customer_id`` None means an operator, who may act on any hold."""
    if customer_id is not None and customer_id != hold.customer_id:
        raise Forbidden("not_your_hold", "this hold belongs to another customer")


def check_hold_live(hold: HoldState, now: datetime) -> None:
    """A hold can be released or ordered only while live and within its TTL."""
    if hold.status == "ordered":
        raise Conflict("hold_already_used", "this hold already became an order", status=hold.status)
    if hold.status == "expired" or (hold.status == "live" and hold.expires_at <= now):
        raise Conflict("hold_expired", "this hold has expired", status="expired")
    if hold.status != "live":
        raise Conflict("hold_not_live", f"this hold is {hold.status}", status=hold.status)
