"""What the command benchmark runs: zone plans, cases, levels and durations."""

import os
from dataclasses import dataclass, field, replace
from typing import Literal

from benchmarks.config import WrkBenchOptions

Mode = Literal["explicit", "best"]
Spread = Literal["spread", "hot"]
MODES: tuple[Mode, ...] = ("explicit", "best")
SPREADS: tuple[Spread, ...] = ("spread", "hot")
MODE_LABELS = {"explicit": "explicit seat", "best": "best available"}


@dataclass(frozen=True, slots=True)
class ZonePlan:
    """A venue whose zones all have ``rows`` rows of ``seats_per_row`` seats.

    A request picks one zone of the venue at random, so the zone a hold works
    on has ``zone_seats`` seats while a show has ``zones x zone_seats``.
    """

    key: str  # "small" or "large"
    venue_name: str
    zone_ids: tuple[str, ...]
    rows: int
    seats_per_row: int
    price_cents: int = 5_000

    @property
    def zone_seats(self) -> int:
        return self.rows * self.seats_per_row

    @property
    def show_seats(self) -> int:
        return self.zone_seats * len(self.zone_ids)

    def describe(self) -> dict[str, int]:
        return {
            "zones": len(self.zone_ids),
            "rows": self.rows,
            "seats_per_row": self.seats_per_row,
            "zone_seats": self.zone_seats,
            "show_seats": self.show_seats,
        }


# The 200-seat zone: a show of a hundred such zones (10 rows of 20), every request picks one of
# them, so that a case cannot empty "the" 200-seat zone in a second; the show has 20,000 seats,
# like the show of the 20,000-seat zone (200 rows of 100), so the two differ in zone size only.
SMALL = ZonePlan("small", "Bench 200-seat zones", tuple(f"S{i:02d}" for i in range(100)), 10, 20)
LARGE = ZonePlan("large", "Bench 20,000-seat zone", ("L",), 200, 100)
PLANS = (SMALL, LARGE)

BEST_QUANTITY = (1, 2)  # best-available asks for 1 or 2 seats, at random
MAX_FILL = 0.25  # spread shows are replaced by fresh ones before a case could fill them past this
FIRST_RATE_GUESS = 500.0  # holds/s assumed before any case ran, to size the first cases' shows
QUIET_TIMEOUT_SECONDS = 120.0  # longest wait for the relay and projectors to go idle before a case


@dataclass(frozen=True, slots=True)
class Case:
    """One wrk run of holds."""

    mode: Mode
    spread: Spread
    plan: ZonePlan
    connections: int

    @property
    def name(self) -> str:
        return f"{self.mode}-{self.plan.zone_seats}-{self.spread}-c{self.connections}"


@dataclass(frozen=True, slots=True)
class CommandBenchOptions(WrkBenchOptions):
    levels: tuple[int, ...] = (1, 8, 32, 64)  # wrk connections, rising
    seconds: int = 10  # per case, and per floor level
    spread_shows: int = 10
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)  # command API processes

    def cases(self) -> list[Case]:
        """Spread then hot; explicit then best-available; per level both zone sizes back to back,
        so the 1-client latencies of the 200- and 20,000-seat zones are measured moments apart."""
        return [
            Case(mode, spread, plan, level)
            for spread in SPREADS
            for mode in MODES
            for level in self.levels
            for plan in PLANS
        ]

    def as_quick(self) -> "CommandBenchOptions":
        """The smoke-test size: every case, at two levels, for a second each, over two spread shows."""
        return replace(
            self, levels=QUICK_LEVELS, seconds=QUICK_SECONDS, spread_shows=QUICK_SPREAD_SHOWS, quick=True
        )


QUICK_LEVELS = (1, 4)
QUICK_SECONDS = 1
QUICK_SPREAD_SHOWS = 2
