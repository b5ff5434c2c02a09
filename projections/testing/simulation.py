"""Test support (see :mod:`projections.testing`): a small, independent model of the write side
that emits valid event streams."""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from contracts import events, new_envelope, seat_id_for
from contracts.envelope import Envelope
from projections.testing.truth import Truth, truth_of

_EPOCH = datetime(2026, 3, 1, tzinfo=UTC)


@dataclass
class _Order:
    show_id: UUID
    customer: str
    referrer: str | None
    lines: tuple[events.OrderLine, ...]
    status: str = "pending"
    paid_at: datetime | None = None
    amount: int = 0
    refunded: int = 0


@dataclass
class _Show:
    show_id: UUID
    title: str
    starts_at: datetime
    zones: tuple[events.ZoneLayout, ...]
    seq: int = 0
    status: dict[str, str] = field(default_factory=dict)
    holds: dict[UUID, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # live holds


class Simulation:
    """Random valid commands over a few shows; ``events`` in commit order (per show seq)."""

    def __init__(self, seed: int, shows: int = 3, zones: int = 2, rows: int = 3, seats: int = 8) -> None:
        self.rng = random.Random(seed)
        self.clock = _EPOCH
        self.shows: dict[UUID, _Show] = {}
        self.orders: dict[UUID, _Order] = {}
        self.order_ids: list[UUID] = []
        self.events: list[Envelope] = []
        for n in range(shows):
            layout = tuple(
                events.ZoneLayout(
                    zone_id=f"Z{z}",
                    name=f"Zone {z}",
                    price_cents=1000 * (z + 1),
                    rows=tuple(events.RowLayout(row=f"R{r}", seats=seats) for r in range(rows)),
                )
                for z in range(zones)
            )
            show = _Show(uuid4(), f"Show {n}", _EPOCH + timedelta(days=30 + n), layout)
            for zone in layout:
                for row in zone.rows:
                    for i in range(1, row.seats + 1):
                        show.status[seat_id_for(zone.zone_id, row.row, i)] = "available"
            self.shows[show.show_id] = show
            scheduled = events.ShowScheduled(
                show_id=show.show_id,
                venue_id=uuid4(),
                venue_name="Hall",
                title=show.title,
                starts_at=show.starts_at,
                zones=layout,
            )
            self._emit(show, scheduled)

    def _emit(self, show: _Show, payload: events.EventPayload) -> None:
        show.seq += 1
        self.clock += timedelta(minutes=self.rng.randint(1, 600))
        self.events.append(
            new_envelope(
                payload, stream_id=show.show_id, seq=show.seq, correlation_id=uuid4(), occurred_at=self.clock
            )
        )

    def run(self, steps: int) -> "Simulation":
        actions = [
            self._hold,
            self._hold,
            self._hold,
            self._release,
            self._order,
            self._order,
            self._pay,
            self._pay,
            self._cancel,
            self._expire,
        ]
        for _ in range(steps):
            self.rng.choice(actions)()
        return self

    def _pick_show(self) -> _Show:
        return self.shows[self.rng.choice(list(self.shows))]

    def _hold(self) -> None:
        show = self._pick_show()
        free = [s for s, st in show.status.items() if st == "available"]
        if not free:
            return
        seats = tuple(self.rng.sample(free, min(len(free), self.rng.randint(1, 4))))
        hold_id, customer = uuid4(), f"c{self.rng.randint(1, 5)}"
        for s in seats:
            show.status[s] = "held"
        show.holds[hold_id] = (customer, seats)
        self._emit(
            show,
            events.SeatsHeld(
                hold_id=hold_id,
                customer_id=customer,
                seat_ids=seats,
                expires_at=self.clock + timedelta(minutes=10),
            ),
        )

    def _end_hold(self) -> tuple[_Show, UUID, str, tuple[str, ...]] | None:
        """A live hold of a random show, no longer live: its show, id, customer and seats (None if none)."""
        show = self._pick_show()
        if not show.holds:
            return None
        hold_id = self.rng.choice(list(show.holds))
        customer, seats = show.holds.pop(hold_id)
        return show, hold_id, customer, seats

    def _release(self) -> None:
        ended = self._end_hold()
        if ended is None:
            return
        show, hold_id, customer, seats = ended
        for s in seats:
            show.status[s] = "available"
        reason = self.rng.choice(["released", "expired"])
        self._emit(
            show, events.HoldReleased(hold_id=hold_id, customer_id=customer, seat_ids=seats, reason=reason)
        )

    def _lines(self, show: _Show, seats: tuple[str, ...]) -> tuple[events.OrderLine, ...]:
        price = {z.zone_id: z.price_cents for z in show.zones}
        return tuple(
            events.OrderLine(seat_id=s, zone_id=s.split("-")[0], price_cents=price[s.split("-")[0]])
            for s in seats
        )

    def _order(self) -> None:
        ended = self._end_hold()
        if ended is None:
            return
        show, hold_id, customer, seats = ended
        referrer = self.rng.choice([None, "aff1", "aff2"])
        order_id, lines = uuid4(), self._lines(show, seats)
        self.orders[order_id] = _Order(show.show_id, customer, referrer, lines)
        self.order_ids.append(order_id)
        self._emit(
            show,
            events.OrderPlaced(
                order_id=order_id,
                hold_id=hold_id,
                customer_id=customer,
                referrer_id=referrer,
                lines=lines,
                total_cents=sum(li.price_cents for li in lines),
                pay_by=self.clock + timedelta(minutes=15),
            ),
        )

    def _pick_order(self, *statuses: str) -> tuple[UUID, _Order] | None:
        # A few random draws rather than a scan, so that long runs stay linear.
        for _ in range(8):
            if not self.order_ids:
                return None
            order_id = self.rng.choice(self.order_ids)
            if self.orders[order_id].status in statuses:
                return order_id, self.orders[order_id]
        return None

    def _pay(self) -> None:
        picked = self._pick_order("pending")
        if picked is None:
            return
        order_id, order = picked
        order.paid_at = self.clock + timedelta(seconds=1)
        order.amount = sum(li.price_cents for li in order.lines)
        self._settle(
            order_id, "paid", "sold", events.OrderPaid, amount_cents=order.amount, paid_at=order.paid_at
        )

    def _cancel(self) -> None:
        picked = self._pick_order("pending", "paid")
        if picked is None:
            return
        order_id, order = picked
        previous = order.status
        refund = order.amount if previous == "paid" else 0
        self._settle(
            order_id,
            "cancelled",
            "available",
            events.OrderCancelled,
            previous_status=previous,
            refunded_cents=refund,
            paid_at=order.paid_at,
        )
        order.refunded = refund

    def _expire(self) -> None:
        picked = self._pick_order("pending")
        if picked is None:
            return
        self._settle(picked[0], "expired", "available", events.OrderExpired)

    def _settle(
        self,
        order_id: UUID,
        status: str,
        seat_status: str,
        event_type: type[events.OrderEvent],
        **details: object,
    ) -> None:
        """Move the order to ``status`` and its seats to ``seat_status``; emit ``event_type`` for it.

        The event carries the order's id, customer, referrer and lines, plus ``details``.
        """
        order = self.orders[order_id]
        show = self.shows[order.show_id]
        order.status = status
        for li in order.lines:
            show.status[li.seat_id] = seat_status
        event = event_type(
            order_id=order_id,
            customer_id=order.customer,
            referrer_id=order.referrer,
            lines=order.lines,
            **details,
        )
        self._emit(show, event)

    def truth(self) -> "Truth":
        """The read models' expected content, computed from the write-side state alone."""
        return truth_of(self)
