"""The pure fold of seat availability: events in, a batch of row changes out.

Counts are kept as deltas aggregated per batch (commutative, so the SQL layer
adds them in one statement); seat statuses as the last status per seat in the
batch. Nothing is looked up: a seat's zone is the first part of its id. An event is the
pydantic models, their lean mirrors (``contracts.lean``) or the trusted structures holding only
what the folds read (``projections.runtime.trusted_decoding``), with the same fields.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import cast
from uuid import UUID

from contracts import events, lean, seat_id_for
from projections.runtime import trusted_decoding as trusted
from projections.runtime.decoding import Event
from projections.runtime.projection import ApplyError

AVAILABLE, HELD, SOLD = "available", "held", "sold"
# Index of each status in a counts triple [available, held, sold].
INDEX = {AVAILABLE: 0, HELD: 1, SOLD: 2}

ShowRow = tuple[UUID, str, datetime, str, int]  # show_id, title, starts_at, venue_name, capacity
ZoneRow = tuple[UUID, str, str, int, int, int]  # show_id, zone_id, name, price_cents, capacity, ordinal
SeatRow = tuple[UUID, str, str, str, int, int]  # show_id, seat_id, zone_id, row, number, ordinal


@dataclass(slots=True)
class ShowMoves:
    """What a batch does to one show's seats: each moved seat's last status, count deltas per zone
    and for the show."""

    status: dict[str, str] = field(default_factory=dict)
    zones: dict[str, list[int]] = field(default_factory=dict)
    counts: list[int] = field(default_factory=lambda: [0, 0, 0])


@dataclass(slots=True)
class SeatChanges:
    """What a batch does to the tables: new rows, final seat statuses, count deltas.

    The moves are kept per show (``moves``: a show's id is hashed once per event, in Python
    code, rather than once per seat and key); ``seat_status``, ``zone_deltas`` and
    ``show_deltas`` are the same facts keyed by show, for the writes.
    """

    shows: list[ShowRow] = field(default_factory=list)
    zones: list[ZoneRow] = field(default_factory=list)
    seats: list[SeatRow] = field(default_factory=list)
    moves: dict[UUID, ShowMoves] = field(default_factory=dict)

    @property
    def seat_status(self) -> dict[tuple[UUID, str], str]:
        """The last status of each seat the batch moves."""
        return {(show, seat): st for show, m in self.moves.items() for seat, st in m.status.items()}

    @property
    def zone_deltas(self) -> dict[tuple[UUID, str], list[int]]:
        """Count deltas per zone the batch moves seats of."""
        return {(show, zone): d for show, m in self.moves.items() for zone, d in m.zones.items()}

    @property
    def show_deltas(self) -> dict[UUID, list[int]]:
        """Count deltas per show the batch moves seats of."""
        return {show: m.counts for show, m in self.moves.items()}


def zone_of(seat_id: str) -> str:
    return seat_id.split("-", 1)[0]


_HoldPayload = (
    events.SeatsHeld
    | events.HoldReleased
    | lean.SeatsHeld
    | lean.HoldReleased
    | trusted.SeatsHeld
    | trusted.HoldReleased
)
_OrderPayload = (
    events.OrderPaid
    | events.OrderExpired
    | lean.OrderPaid
    | lean.OrderExpired
    | trusted.OrderPaid
    | trusted.OrderExpired
)
# (from, to) of the payload classes whose move does not depend on the event, by exact class: one
# lookup per event instead of a chain of isinstance checks. Any other class (an OrderCancelled,
# whose move depends on it; a subclass) goes through the chain (``_classified``).
_HOLD_MOVES: dict[type, tuple[str, str]] = {
    events.SeatsHeld: (AVAILABLE, HELD),
    lean.SeatsHeld: (AVAILABLE, HELD),
    trusted.SeatsHeld: (AVAILABLE, HELD),
    events.HoldReleased: (HELD, AVAILABLE),
    lean.HoldReleased: (HELD, AVAILABLE),
    trusted.HoldReleased: (HELD, AVAILABLE),
}
_ORDER_MOVES: dict[type, tuple[str, str]] = {
    events.OrderPaid: (HELD, SOLD),
    lean.OrderPaid: (HELD, SOLD),
    trusted.OrderPaid: (HELD, SOLD),
    events.OrderExpired: (HELD, AVAILABLE),
    lean.OrderExpired: (HELD, AVAILABLE),
    trusted.OrderExpired: (HELD, AVAILABLE),
}
_NO_MOVE = frozenset(
    {
        events.OrderPlaced,
        lean.OrderPlaced,
        trusted.OrderPlaced,
        events.HoldExtended,
        lean.HoldExtended,
        trusted.HoldExtended,
    }
)


_NO_MOVE_TYPES = (
    events.OrderPlaced
    | lean.OrderPlaced
    | trusted.OrderPlaced
    | events.HoldExtended
    | lean.HoldExtended
    | trusted.HoldExtended
)


def _transitions(event: Event) -> tuple[tuple[str, ...], str, str] | None:
    """(seats, from, to) of an event that moves seats; None for one that moves none."""
    p = event.payload
    kind = type(p)
    if kind in _NO_MOVE:
        return None
    move = _HOLD_MOVES.get(kind)
    if move is not None:
        return cast(_HoldPayload, p).seat_ids, *move
    move = _ORDER_MOVES.get(kind)
    if move is not None:
        return _line_seats(cast(_OrderPayload, p)), *move
    return _classified(event)


def _classified(event: Event) -> tuple[tuple[str, ...], str, str] | None:
    """``_transitions`` by isinstance checks, for the classes it does not look up."""
    p = event.payload
    if isinstance(p, events.SeatsHeld | lean.SeatsHeld | trusted.SeatsHeld):
        return p.seat_ids, AVAILABLE, HELD
    if isinstance(p, events.HoldReleased | lean.HoldReleased | trusted.HoldReleased):
        return p.seat_ids, HELD, AVAILABLE
    if isinstance(p, events.OrderPaid | lean.OrderPaid | trusted.OrderPaid):
        return _line_seats(p), HELD, SOLD
    if isinstance(p, events.OrderCancelled | lean.OrderCancelled | trusted.OrderCancelled):
        return _line_seats(p), (SOLD if p.previous_status == "paid" else HELD), AVAILABLE
    if isinstance(p, events.OrderExpired | lean.OrderExpired | trusted.OrderExpired):
        return _line_seats(p), HELD, AVAILABLE
    if isinstance(p, _NO_MOVE_TYPES):
        # the hold's seats stay held while the order waits for payment, or the hold lives longer
        # (the seat map shows no expiry)
        return None
    raise ApplyError(f"seat availability does not handle {event.envelope.type}")


def _line_seats(
    p: events.OrderPaid
    | events.OrderCancelled
    | events.OrderExpired
    | lean.OrderPaid
    | lean.OrderCancelled
    | lean.OrderExpired
    | trusted.OrderPaid
    | trusted.OrderCancelled
    | trusted.OrderExpired,
) -> tuple[str, ...]:
    for line in p.lines:
        if zone_of(line.seat_id) != line.zone_id:
            raise ApplyError(f"order line seat {line.seat_id} is not in zone {line.zone_id}")
    return tuple(line.seat_id for line in p.lines)


def _schedule(changes: SeatChanges, show_id: UUID, p: events.ShowScheduled | lean.ShowScheduled) -> None:
    ordinal = 0
    zones: tuple[events.ZoneLayout | lean.ZoneLayout, ...] = p.zones
    capacity = sum(z.capacity for z in zones)
    changes.shows.append((show_id, p.title, p.starts_at, p.venue_name, capacity))
    for zone_ordinal, zone in enumerate(zones):
        changes.zones.append(
            (show_id, zone.zone_id, zone.name, zone.price_cents, zone.capacity, zone_ordinal)
        )
        rows: tuple[events.RowLayout | lean.RowLayout, ...] = zone.rows
        for row in rows:
            for number in range(1, row.seats + 1):
                seat = seat_id_for(zone.zone_id, row.row, number)
                changes.seats.append((show_id, seat, zone.zone_id, row.row, number, ordinal))
                ordinal += 1


def apply(changes: SeatChanges, event: Event) -> SeatChanges:
    """Fold one event into ``changes``; raises ApplyError (changing nothing) if it cannot apply."""
    show_id = event.envelope.stream_id
    if isinstance(event.payload, events.ShowScheduled | lean.ShowScheduled):
        if event.payload.show_id != show_id:
            raise ApplyError("ShowScheduled names another show than its stream")
        _schedule(changes, show_id, event.payload)
        return changes
    moved = _transitions(event)  # validates before anything is changed
    if moved is None:
        return changes
    seats, before, after = moved
    src, dst = INDEX[before], INDEX[after]
    m = changes.moves.get(show_id)
    if m is None:
        m = changes.moves[show_id] = ShowMoves()
    status, zones = m.status, m.zones
    for seat in seats:
        status[seat] = after
        zone_id = zone_of(seat)
        counts = zones.get(zone_id)
        if counts is None:
            counts = zones[zone_id] = [0, 0, 0]
        counts[src] -= 1
        counts[dst] += 1
    m.counts[src] -= len(seats)
    m.counts[dst] += len(seats)
    return changes
