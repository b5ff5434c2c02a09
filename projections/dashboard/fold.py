"""The pure fold of the dashboard: events in, figure deltas aggregated per batch out.

Meanings (docs/internals.md): revenue is net of refunds; a cancelled paid order
leaves orders_paid, tickets_sold and revenue (also of its payment day, zone and
referrer); held seats are seats in live holds and in pending orders; a hold that
becomes an order stops being a live hold. An event is the pydantic models, their
lean mirrors (``contracts.lean``) or the trusted structures holding only what the folds read
(``projections.runtime.trusted_decoding``), with the same fields.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar
from uuid import UUID

from contracts import events, lean
from contracts.read_model import TOTAL_FIGURES
from projections.runtime import trusted_decoding as trusted
from projections.runtime.decoding import Event
from projections.runtime.projection import ApplyError

K = TypeVar("K")

TOTALS = TOTAL_FIGURES  # the figures of the totals, as the dashboard views agree them

ShowRow = tuple[UUID, str, datetime, int]  # show_id, title, starts_at, capacity
ZoneRow = tuple[UUID, str, str, int, int]  # show_id, zone_id, name, capacity, ordinal


@dataclass(slots=True)
class DashboardChanges:
    """Deltas of a batch. Triples are [orders_paid, tickets_sold, revenue_cents] for days and
    referrers, [sold, held, revenue_cents] for shows and [sold, revenue_cents] for zones.

    The figures are folded per show only (a show's rows are written only by the instance that
    owns its partition, so they need no slot); the batch's totals, sales by day and by referrer
    are their sums, added up once per batch (``totals``, ``by_day``, ``by_referrer``) rather
    than once more per event.
    """

    shows: list[ShowRow] = field(default_factory=list)
    zones: list[ZoneRow] = field(default_factory=list)
    by_show: dict[UUID, list[int]] = field(default_factory=dict)
    by_zone: dict[tuple[UUID, str], list[int]] = field(default_factory=dict)
    show_totals: dict[UUID, Counter[str]] = field(default_factory=dict)
    show_by_day: dict[tuple[UUID, date], list[int]] = field(default_factory=dict)
    show_referrer: dict[tuple[UUID, date, str], list[int]] = field(default_factory=dict)

    @property
    def totals(self) -> Counter[str]:
        """The batch's total deltas: the shows' summed."""
        summed: Counter[str] = Counter()
        for figures in self.show_totals.values():
            summed.update(figures)
        return summed

    @property
    def by_day(self) -> dict[date, list[int]]:
        """The batch's sales by day: the shows' summed."""
        summed: dict[date, list[int]] = {}
        for (_, day), row in self.show_by_day.items():
            _add(summed, day, *row)
        return summed

    @property
    def by_referrer(self) -> dict[str, list[int]]:
        """The batch's sales by referrer: the shows' summed over days."""
        summed: dict[str, list[int]] = {}
        for (_, _, referrer), row in self.show_referrer.items():
            _add(summed, referrer, *row)
        return summed


def _add(target: dict[K, list[int]], key: K, *deltas: int) -> None:
    row = target.get(key)
    if row is None:
        target[key] = list(deltas)
    else:
        for i, d in enumerate(deltas):
            row[i] += d


def _figures(c: DashboardChanges, show: UUID) -> Counter[str]:
    """The total deltas of ``show`` (looked up once per event: an id's hash is Python code)."""
    figures = c.show_totals.get(show)
    if figures is None:
        figures = c.show_totals[show] = Counter()
    return figures


def _zone_split(
    lines: tuple[events.OrderLine, ...] | tuple[lean.OrderLine, ...] | tuple[trusted.OrderLine, ...],
) -> dict[str, tuple[int, int]]:
    split: dict[str, tuple[int, int]] = {}
    for line in lines:
        n, cents = split.get(line.zone_id, (0, 0))
        split[line.zone_id] = (n + 1, cents + line.price_cents)
    return split


def _sale(  # noqa: PLR0917 - the order, its show and the figures it moves
    c: DashboardChanges,
    show: UUID,
    figures: Counter[str],
    p: events.OrderPaid
    | events.OrderCancelled
    | lean.OrderPaid
    | lean.OrderCancelled
    | trusted.OrderPaid
    | trusted.OrderCancelled,
    sign: int,
    cents: int,
) -> None:
    """Count (sign 1) or uncount (sign -1) a paid order everywhere it shows (``figures``: the show's)."""
    paid_at = p.paid_at
    if paid_at is None:
        raise ApplyError("a cancelled paid order must say when it was paid")
    n = len(p.lines)
    day = paid_at.date()
    figures["orders_paid"] += sign
    figures["tickets_sold"] += sign * n
    figures["revenue_cents"] += sign * cents
    _add(c.show_by_day, (show, day), sign, sign * n, sign * cents)
    # Paying moves the seats from held to sold; a refund only takes them out of sold.
    _add(c.by_show, show, sign * n, -n if sign > 0 else 0, sign * cents)
    for zone, (zn, zcents) in _zone_split(p.lines).items():
        _add(c.by_zone, (show, zone), sign * zn, sign * zcents)
    if p.referrer_id is not None:
        _add(c.show_referrer, (show, day, p.referrer_id), sign, sign * n, sign * cents)


def _release(c: DashboardChanges, show: UUID, seats: int, pending_order: str | None) -> None:
    figures = _figures(c, show)
    figures["held_seats"] -= seats
    _add(c.by_show, show, 0, -seats, 0)
    if pending_order is None:
        figures["live_holds"] -= 1
    else:
        figures["orders_pending"] -= 1
        figures[pending_order] += 1


_CANCELLED = events.OrderCancelled | lean.OrderCancelled | trusted.OrderCancelled


def apply(c: DashboardChanges, event: Event) -> DashboardChanges:
    """Fold one event into ``c``; raises ApplyError (changing nothing) if it cannot apply."""
    show, p = event.envelope.stream_id, event.payload
    if isinstance(p, events.ShowScheduled | lean.ShowScheduled):
        zones: tuple[events.ZoneLayout | lean.ZoneLayout, ...] = p.zones
        c.shows.append((show, p.title, p.starts_at, sum(z.capacity for z in zones)))
        c.zones.extend((show, z.zone_id, z.name, z.capacity, i) for i, z in enumerate(zones))
    elif isinstance(p, events.SeatsHeld | lean.SeatsHeld | trusted.SeatsHeld):
        figures = _figures(c, show)
        figures["live_holds"] += 1
        figures["held_seats"] += len(p.seat_ids)
        _add(c.by_show, show, 0, len(p.seat_ids), 0)
    elif isinstance(p, events.HoldReleased | lean.HoldReleased | trusted.HoldReleased):
        _release(c, show, len(p.seat_ids), None)
    elif isinstance(p, events.OrderPlaced | lean.OrderPlaced | trusted.OrderPlaced):
        figures = _figures(c, show)
        figures["live_holds"] -= 1
        figures["orders_pending"] += 1
    elif isinstance(p, events.OrderPaid | lean.OrderPaid | trusted.OrderPaid):
        figures = _figures(c, show)
        figures["orders_pending"] -= 1
        figures["held_seats"] -= len(p.lines)
        _sale(c, show, figures, p, 1, p.amount_cents)
    elif (
        isinstance(p, events.OrderCancelled | lean.OrderCancelled | trusted.OrderCancelled)
        and p.previous_status == "paid"
    ):
        if p.paid_at is None:
            raise ApplyError("a cancelled paid order must say when it was paid")
        figures = _figures(c, show)
        figures["orders_cancelled"] += 1
        figures["refunded_cents"] += p.refunded_cents
        _sale(c, show, figures, p, -1, p.refunded_cents)
    elif isinstance(p, _CANCELLED):
        _release(c, show, len(p.lines), "orders_cancelled")
    elif isinstance(p, events.OrderExpired | lean.OrderExpired | trusted.OrderExpired):
        _release(c, show, len(p.lines), "orders_expired")
    elif isinstance(p, events.HoldExtended | lean.HoldExtended | trusted.HoldExtended):
        pass  # a later expiry changes no figure of the dashboard
    else:
        raise ApplyError(f"the dashboard does not handle {event.envelope.type}")
    return c
