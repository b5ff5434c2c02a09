"""The benchmark venue: four zones of ten rows of fifty seats (2,000 seats per show)."""

from dataclasses import dataclass
from uuid import UUID

from contracts import RowLayout, ZoneLayout, seat_id_for

VENUE_ID = UUID("0b0f1ce0-0000-4000-8000-00000000be00")
VENUE_NAME = "Benchmark Hall"
ZONES: tuple[tuple[str, str, int], ...] = (
    ("A", "Stalls", 9_500),
    ("B", "Circle", 7_500),
    ("C", "Balcony", 5_000),
    ("D", "Gallery", 3_000),
)
ROWS_PER_ZONE = 10
SEATS_PER_ROW = 50


@dataclass(frozen=True, slots=True)
class Seat:
    seat_id: str
    zone_id: str
    row: str
    row_ordinal: int
    number: int
    price_cents: int


def zone_layouts() -> tuple[ZoneLayout, ...]:
    """The layout snapshot ``ShowScheduled`` carries (prices included)."""
    rows = tuple(RowLayout(row=str(r + 1), seats=SEATS_PER_ROW) for r in range(ROWS_PER_ZONE))
    return tuple(ZoneLayout(zone_id=z, name=name, price_cents=price, rows=rows) for z, name, price in ZONES)


def seats() -> list[Seat]:
    """Every seat in layout order (zone, row, number)."""
    return [
        Seat(seat_id_for(z, str(r + 1), n), z, str(r + 1), r, n, price)
        for z, _, price in ZONES
        for r in range(ROWS_PER_ZONE)
        for n in range(1, SEATS_PER_ROW + 1)
    ]


def capacity() -> int:
    return len(ZONES) * ROWS_PER_ZONE * SEATS_PER_ROW
