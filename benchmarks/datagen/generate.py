"""Generating a show's history: holds, orders, payments, cancellations, expiries.

Each show is scheduled, then receives ``orders`` orders over the past sixty
days (86% paid, of which 6% are later refunded; 5% cancelled before payment;
5% expired), one released hold per ten orders, and ends with a few orders
still pending payment and a few live holds (both lasting past the run). The
write rows are the state the command side would have after the same commands,
so the baseline and the command API continue from them. Deterministic per seed.
"""

import random
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import orjson

from benchmarks.datagen import layout
from benchmarks.datagen.rows import Slice, ShowStream
from contracts import (
    HoldReleased,
    OrderCancelled,
    OrderExpired,
    OrderLine,
    OrderPaid,
    OrderPlaced,
    SeatsHeld,
    ShowScheduled,
)

ORDERS_PER_SHOW = 560  # about 1,450 of 2,000 seats end up sold or held
QUANTITIES = (1, 2, 2, 2, 3, 4)
LIVE_MINUTES = 55  # pending orders and live holds outlast any run (holds may last 60 minutes)


class HistoryGenerator:
    """Generates shows one after another; ``show_index`` keeps growing across slices."""

    def __init__(self, seed: int, now: datetime | None = None) -> None:
        self.rng = random.Random(seed)
        self.now = now or datetime.now(UTC)
        self.show_index = 0
        self.seats = layout.seats()
        self.zones = layout.zone_layouts()
        self.state: dict[str, tuple[str, UUID | None, UUID | None, datetime | None]] = {}
        self.cursor = 0

    def new_id(self) -> UUID:
        return UUID(int=self.rng.getrandbits(128), version=4)

    def slice(self, orders: int) -> Slice:
        """Shows holding ``orders`` orders in all (the last show may get fewer)."""
        out = Slice()
        while out.orders < orders:
            out.orders += self._show(out, min(ORDERS_PER_SHOW, orders - out.orders))
        return out

    def _show(self, out: Slice, orders: int) -> int:
        self.show_index += 1
        show_id, now, rng = self.new_id(), self.now, self.rng
        created = now - timedelta(days=61)
        starts = (now + timedelta(days=30 + self.show_index % 90)).replace(minute=0, second=0, microsecond=0)
        stream = ShowStream(out, show_id, now, self.new_id)
        title = f"Benchmark show {self.show_index}"
        stream.emit(ShowScheduled(show_id=show_id, venue_id=layout.VENUE_ID, venue_name=layout.VENUE_NAME,
                                  title=title, starts_at=starts, zones=self.zones), created)  # fmt: skip
        self.state, self.cursor = {}, 0
        pending, live = max(1, orders // 50), max(1, orders // 100)
        times = sorted(now - timedelta(days=60 * rng.random() + 1) for _ in range(orders - pending))
        done = 0
        for i, at in enumerate(times):
            if not self._order(out, stream, at, "settled"):
                break
            done += 1
            if i % 10 == 9:
                self._hold(out, stream, at + timedelta(seconds=5), released=True)
        for k in range(pending):
            done += self._order(out, stream, now - timedelta(minutes=pending - k), "pending")
        for k in range(live):
            self._hold(out, stream, now - timedelta(seconds=live - k), released=False)
        out.tables["shows"].append((show_id, layout.VENUE_ID, title, starts, stream.seq, created))
        out.tables["show_prices"].extend((show_id, z, p) for z, _, p in layout.ZONES)
        out.tables["seat_inventory"].extend(
            (show_id, s.seat_id, s.zone_id, s.row, s.row_ordinal, layout.SEATS_PER_ROW, s.number,
             *self.state.get(s.seat_id, ("available", None, None, None)))
            for s in self.seats
        )  # fmt: skip
        return done

    def _take(self) -> list[layout.Seat] | None:
        quantity = self.rng.choice(QUANTITIES)
        if self.cursor + quantity > len(self.seats):
            return None
        taken = self.seats[self.cursor : self.cursor + quantity]
        self.cursor += quantity
        return taken

    def _hold(self, out: Slice, stream: ShowStream, at: datetime, *, released: bool) -> None:
        seats = self._take()
        if seats is None:
            return
        hold_id, customer = self.new_id(), f"cust-{self.rng.randrange(500_000)}"
        ids = tuple(s.seat_id for s in seats)
        expires = at + timedelta(minutes=10) if released else self.now + timedelta(minutes=LIVE_MINUTES)
        stream.emit(SeatsHeld(hold_id=hold_id, customer_id=customer, seat_ids=ids, expires_at=expires), at)
        if released:
            stream.emit(HoldReleased(hold_id=hold_id, customer_id=customer, seat_ids=ids, reason="released"),
                        at + timedelta(minutes=2))  # fmt: skip
        else:
            self.state.update({s: ("held", hold_id, None, expires) for s in ids})
        status, ended = ("released", at + timedelta(minutes=2)) if released else ("live", None)
        out.tables["holds"].append((hold_id, stream.show_id, customer, list(ids), status, expires, at, ended))

    def _order(self, out: Slice, stream: ShowStream, at: datetime, kind: str) -> bool:
        seats = self._take()
        if seats is None:
            return False
        rng, show_id = self.rng, stream.show_id
        hold_id, order_id, customer = self.new_id(), self.new_id(), f"cust-{rng.randrange(500_000)}"
        referrer = f"ref-{rng.randrange(40):02d}" if rng.random() < 0.6 else None
        ids = tuple(s.seat_id for s in seats)
        lines = tuple(OrderLine(seat_id=s.seat_id, zone_id=s.zone_id, price_cents=s.price_cents) for s in seats)
        total = sum(s.price_cents for s in seats)
        who: dict[str, Any] = {"order_id": order_id, "customer_id": customer, "referrer_id": referrer, "lines": lines}
        placed = at + timedelta(seconds=30)
        pay_by = self.now + timedelta(minutes=LIVE_MINUTES) if kind == "pending" else placed + timedelta(minutes=15)
        stream.emit(SeatsHeld(hold_id=hold_id, customer_id=customer, seat_ids=ids,
                              expires_at=at + timedelta(minutes=10)), at)  # fmt: skip
        stream.emit(OrderPlaced(hold_id=hold_id, total_cents=total, pay_by=pay_by, **who), placed)
        r = rng.random() if kind == "settled" else -1.0
        paid_at = ended = payment_ref = reason = None
        refunded = 0
        if r < 0:
            status, seat = "pending", ("held", hold_id, order_id, None)
        elif r < 0.86:
            paid_at, payment_ref = placed + timedelta(seconds=40), f"pay-{order_id.hex[:12]}"
            stream.emit(OrderPaid(amount_cents=total, paid_at=paid_at, **who), paid_at)
            status, seat = "paid", ("sold", hold_id, order_id, None)
            if rng.random() < 0.06:
                ended, refunded, reason = min(paid_at + timedelta(hours=30), self.now), total, "customer request"
                stream.emit(OrderCancelled(previous_status="paid", refunded_cents=total, paid_at=paid_at,
                                           reason=reason, **who), ended)  # fmt: skip
                status, seat = "cancelled", ("available", None, None, None)
        elif r < 0.91:
            ended, reason = placed + timedelta(minutes=3), "changed mind"
            stream.emit(OrderCancelled(previous_status="pending", refunded_cents=0, paid_at=None,
                                       reason=reason, **who), ended)  # fmt: skip
            status, seat = "cancelled", ("available", None, None, None)
        else:
            ended = pay_by
            stream.emit(OrderExpired(**who), ended)
            status, seat = "expired", ("available", None, None, None)
        if seat[0] != "available":
            self.state.update({s: seat for s in ids})
        out.tables["holds"].append((hold_id, show_id, customer, list(ids), "ordered", at + timedelta(minutes=10),
                                    at, placed))  # fmt: skip
        lines_json = orjson.dumps([line.model_dump() for line in lines]).decode()
        out.tables["orders"].append((order_id, show_id, hold_id, customer, referrer, lines_json, total, status,
                                     pay_by, payment_ref, paid_at, refunded, reason, placed, ended))  # fmt: skip
        return True
