"""Best-available seat selection: adjacent seats in one row where possible.

The preference: ``quantity`` adjacent seats in the frontmost row that has such
a run, and there the run closest to the row's centre; where no row has one,
the frontmost, most central free seats. Rows are judged one at a time, front
first, so a picker only needs the free seats of the front rows, never the zone
(``handlers.best_available`` walks the rows: ``adjacent_runs`` of each, then
``scattered`` over the seats seen).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SeatCandidate:
    """A free seat of a zone; ``row_ordinal`` 0 is the front row, ``row_seats`` the row's size."""

    seat_id: str
    row_ordinal: int
    row_seats: int
    number: int


Pick = tuple[str, ...]


def adjacent_runs(row: Sequence[SeatCandidate], quantity: int) -> list[Pick]:
    """Every run of ``quantity`` consecutive free seat numbers of one row, most central first."""
    ordered = sorted(row, key=lambda s: s.number)
    found: list[tuple[int, int, Pick]] = []
    for start in range(len(ordered) - quantity + 1):
        first, last = ordered[start], ordered[start + quantity - 1]
        if last.number - first.number != quantity - 1:
            continue  # a gap: numbers are unique, so the span shows whether the run is adjacent
        # twice the distance between run centre and row centre, to stay in integers
        distance = abs(first.number + last.number - (first.row_seats + 1))
        found.append((distance, first.number, tuple(s.seat_id for s in ordered[start : start + quantity])))
    found.sort(key=lambda f: (f[0], f[1]))
    return [run for _, _, run in found]


def scattered(candidates: Iterable[SeatCandidate], quantity: int) -> Pick | None:
    """The frontmost, most central ``quantity`` free seats, adjacent or not; None if too few."""
    ordered = sorted(
        candidates, key=lambda s: (s.row_ordinal, abs(2 * s.number - (s.row_seats + 1)), s.number)
    )
    if len(ordered) < quantity:
        return None
    return tuple(s.seat_id for s in ordered[:quantity])
