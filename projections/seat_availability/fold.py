"""The pure fold of seat availability: events in, a batch of row changes out.

Counts are kept as deltas aggregated per batch (commutative, so the SQL layer
adds them in one statement); seat statuses as the last status per seat in the
batch. Nothing is looked up: a seat's zone is the first part of its id. An event is either
the pydantic models or their lean mirrors (``contracts.lean``), with the same fields.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from contracts import events, lean, seat_id_for
from projections.runtime.decoding import Event
from projections.runtime.projection import ApplyError

K = TypeVar("K")
AVAILABLE, HELD, SOLD = "available", "held", "sold"
# Index of each status in a counts triple [available, held, sold].
INDEX = {AVAILABLE: 0, HELD: 1, SOLD: 2}

ShowRow = tuple[UUID, str, datetime, str, int]  # show_id, title, starts_at, venue_name, capacity
ZoneRow = tuple[UUID, str, str, int, int, int]  # show_id, zone_id, name, price_cents, capacity, ordinal
SeatRow = tuple[UUID, str, str, str, int, int]  # show_id, seat_id, zone_id, row, number, ordinal


@dataclass(slots=True)
class SeatChanges:
    """What a batch does to the tables: new rows, final seat statuses, count deltas."""

    shows: list[ShowRow] = field(default_factory=list)
    zones: list[ZoneRow] = field(default_factory=list)
    seats: list[SeatRow] = field(default_factory=list)
    seat_status: dict[tuple[UUID, str], str] = field(default_factory=dict)
    zone_deltas: dict[tuple[UUID, str], list[int]] = field(default_factory=dict)
    show_deltas: dict[UUID, list[int]] = field(default_factory=dict)


def zone_of(seat_id: str) -> str:
    return seat_id.split("-", 1)[0]


def _transitions(event: Event) -> tuple[tuple[str, ...], str, str] | None:
    """(seats, from, to) of an event that moves seats; None for one that moves none."""
    p = event.payload
    if isinstance(p, events.SeatsHeld | lean.SeatsHeld):
        return p.seat_ids, AVAILABLE, HELD
    if isinstance(p, events.HoldReleased | lean.HoldReleased):
        return p.seat_ids, HELD, AVAILABLE
    if isinstance(p, events.OrderPaid | lean.OrderPaid):
        return _line_seats(p), HELD, SOLD
    if isinstance(p, events.OrderCancelled | lean.OrderCancelled):
        return _line_seats(p), (SOLD if p.previous_status == "paid" else HELD), AVAILABLE
    if isinstance(p, events.OrderExpired | lean.OrderExpired):
        return _line_seats(p), HELD, AVAILABLE
    if isinstance(p, events.OrderPlaced | lean.OrderPlaced | events.HoldExtended | lean.HoldExtended):
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
    | lean.OrderExpired,
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
    status = changes.seat_status
    moved_per_zone: dict[str, int] = {}
    for seat in seats:
        status[(show_id, seat)] = after
        zone_id = zone_of(seat)
        moved_per_zone[zone_id] = moved_per_zone.get(zone_id, 0) + 1
    for zone_id, n in moved_per_zone.items():
        _move(changes.zone_deltas, (show_id, zone_id), src, dst, n)
    _move(changes.show_deltas, show_id, src, dst, len(seats))
    return changes


def _move(deltas: dict[K, list[int]], key: K, src: int, dst: int, n: int) -> None:
    """Count ``n`` seats out of status ``src`` and into ``dst`` for ``key``."""
    counts = deltas.get(key)
    if counts is None:
        counts = deltas[key] = [0, 0, 0]
    counts[src] -= n
    counts[dst] += n
