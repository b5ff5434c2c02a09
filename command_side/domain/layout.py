"""Venue layouts: validation and the seats a layout defines."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from command_side.domain.errors import Invalid
from contracts import seat_id_for

MAX_VENUE_SEATS = 100_000


@dataclass(frozen=True, slots=True)
class RowSpec:
    row: str
    seats: int


@dataclass(frozen=True, slots=True)
class ZoneSpec:
    zone_id: str
    name: str
    rows: tuple[RowSpec, ...]


@dataclass(frozen=True, slots=True)
class SeatSpec:
    """One seat of a layout; ``row_ordinal`` orders the rows of a zone, front first."""

    seat_id: str
    zone_id: str
    row: str
    row_ordinal: int
    row_seats: int
    number: int


def validate_layout(zones: Sequence[ZoneSpec]) -> tuple[SeatSpec, ...]:
    """Every seat of a valid layout, in layout order; raises Invalid on duplicates or size."""
    if not zones:
        raise Invalid("empty_layout", "a venue needs at least one zone")
    zone_ids = [z.zone_id for z in zones]
    if len(set(zone_ids)) != len(zone_ids):
        raise Invalid("duplicate_zones", "zone ids must be unique", zone_ids=_duplicates(zone_ids))
    total = sum(r.seats for z in zones for r in z.rows)
    if total > MAX_VENUE_SEATS:
        raise Invalid("venue_too_large", f"a venue has at most {MAX_VENUE_SEATS} seats", seat_count=total)
    seats: list[SeatSpec] = []
    for zone in zones:
        if not zone.rows:
            raise Invalid("empty_zone", f"zone {zone.zone_id} has no rows", zone_id=zone.zone_id)
        rows = [r.row for r in zone.rows]
        if len(set(rows)) != len(rows):
            raise Invalid(
                "duplicate_rows", f"rows of zone {zone.zone_id} must be unique", rows=_duplicates(rows)
            )
        for ordinal, row in enumerate(zone.rows):
            seats.extend(
                SeatSpec(seat_id_for(zone.zone_id, row.row, n), zone.zone_id, row.row, ordinal, row.seats, n)
                for n in range(1, row.seats + 1)
            )
    return tuple(seats)


def check_prices(zone_ids: Sequence[str], prices: dict[str, int]) -> None:
    """A show prices every zone of its venue and nothing else, in non-negative cents."""
    missing = sorted(set(zone_ids) - prices.keys())
    unknown = sorted(prices.keys() - set(zone_ids))
    if missing or unknown:
        raise Invalid(
            "prices_mismatch",
            "prices must name every zone of the venue and no other",
            missing_zones=missing,
            unknown_zones=unknown,
        )
    negative = sorted(z for z, cents in prices.items() if cents < 0)
    if negative:
        raise Invalid("negative_price", "prices are non-negative cents", zone_ids=negative)


def _duplicates(values: Sequence[str]) -> list[str]:
    return sorted(v for v, n in Counter(values).items() if n > 1)
