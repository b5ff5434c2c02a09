"""Best-available seat selection: adjacent seats in one row where possible."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SeatCandidate:
    """A free seat of a zone; ``row_ordinal`` 0 is the front row, ``row_seats`` the row's size."""

    seat_id: str
    row_ordinal: int
    row_seats: int
    number: int


def pick_best_available(candidates: Iterable[SeatCandidate], quantity: int) -> tuple[str, ...] | None:
    """The seats to offer for ``quantity``, or None when the zone has fewer free seats.

    Prefers ``quantity`` adjacent seats in one row: the frontmost row that has
    such a run, and there the run closest to the row's centre. Where no row
    has one, it falls back to the frontmost, most central free seats.
    Deterministic: the same candidates always give the same answer.
    """
    rows: dict[int, list[SeatCandidate]] = defaultdict(list)
    for seat in candidates:
        rows[seat.row_ordinal].append(seat)
    if sum(len(seats) for seats in rows.values()) < quantity:
        return None
    for ordinal in sorted(rows):
        window = _best_window(sorted(rows[ordinal], key=lambda s: s.number), quantity)
        if window is not None:
            return tuple(s.seat_id for s in window)
    scattered = sorted(
        (s for seats in rows.values() for s in seats),
        key=lambda s: (s.row_ordinal, abs(2 * s.number - (s.row_seats + 1)), s.number),
    )
    return tuple(s.seat_id for s in scattered[:quantity])


def _best_window(row: list[SeatCandidate], quantity: int) -> list[SeatCandidate] | None:
    """The run of ``quantity`` consecutive seat numbers nearest the row's centre, if any."""
    best: list[SeatCandidate] | None = None
    best_distance = 0
    for start in range(len(row) - quantity + 1):
        window = row[start : start + quantity]
        if window[-1].number - window[0].number != quantity - 1:
            continue  # a gap: numbers are unique, so the span shows whether the run is adjacent
        # twice the distance between window centre and row centre, to stay in integers
        distance = abs(window[0].number + window[-1].number - (window[0].row_seats + 1))
        if best is None or distance < best_distance:
            best, best_distance = window, distance
    return best
