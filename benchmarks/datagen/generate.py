"""Generating a show's history: holds, orders, payments, cancellations, expiries.

Each show is scheduled, then receives ``orders`` orders over the past sixty
days (86% paid, of which 6% are later refunded; 5% cancelled before payment;
5% expired), one released hold per ten orders, and ends with a few orders
still pending payment and a few live holds (both lasting past the run). The
write rows are the state the command side would have after the same commands,
so the baseline and the command API continue from them. Deterministic per seed.
"""

import gc
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from uuid import UUID

import orjson

from benchmarks.datagen import layout
from benchmarks.datagen.outcomes import Outcome, PlacedOrder, SeatState, settle
from benchmarks.datagen.rows import ShowStream, Slice
from contracts import HoldReleased, OrderPlaced, SeatsHeld, ShowScheduled

ORDERS_PER_SHOW = 560  # about 1,450 of 2,000 seats end up sold or held
QUANTITIES = (1, 2, 2, 2, 3, 4)
LIVE_MINUTES = 55  # pending orders and live holds outlast any run (holds may last 60 minutes)
# UUID(int=n, version=4) sets these bits of n; done here, the UUID constructor has less to check.
_NOT_VERSION_BITS = ~((0xC000 << 48) | (0xF000 << 64)) & ((1 << 128) - 1)
_VERSION_4_BITS = (0x8000 << 48) | (4 << 76)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """The generator makes millions of acyclic tuples and dicts; collecting them for cycles as they
    are allocated took half of its time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class HistoryGenerator:
    """Generates shows one after another; ``show_index`` keeps growing across slices."""

    def __init__(self, seed: int, now: datetime | None = None) -> None:
        self.rng = random.Random(seed)
        self.now = now or datetime.now(UTC)
        self.show_index = 0
        self.seats = layout.seats()
        self.zones = [zone.model_dump(mode="json") for zone in layout.zone_layouts()]
        self.state: dict[str, SeatState] = {}
        self.cursor = 0

    def new_id(self) -> UUID:
        return UUID(int=self.rng.getrandbits(128) & _NOT_VERSION_BITS | _VERSION_4_BITS)

    def slice(self, orders: int) -> Slice:
        """Shows holding ``orders`` orders in all (the last show may get fewer)."""
        out = Slice()
        with _no_cyclic_gc():
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
        scheduled = {"show_id": show_id, "venue_id": layout.VENUE_ID, "venue_name": layout.VENUE_NAME,
                     "title": title, "starts_at": starts, "zones": self.zones}  # fmt: skip
        stream.emit(ShowScheduled, scheduled, created)
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
            (
                show_id,
                s.seat_id,
                s.zone_id,
                s.row,
                s.row_ordinal,
                layout.SEATS_PER_ROW,
                s.number,
                *self.state.get(s.seat_id, ("available", None, None, None)),
            )
            for s in self.seats
        )
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
        held = {"hold_id": hold_id, "customer_id": customer, "seat_ids": ids}
        stream.emit(SeatsHeld, {**held, "expires_at": expires}, at)
        if released:
            stream.emit(HoldReleased, {**held, "reason": "released"}, at + timedelta(minutes=2))
        else:
            self.state.update(dict.fromkeys(ids, ("held", hold_id, None, expires)))
        status, ended = ("released", at + timedelta(minutes=2)) if released else ("live", None)
        out.tables["holds"].append((hold_id, stream.show_id, customer, list(ids), status, expires, at, ended))

    def _order(self, out: Slice, stream: ShowStream, at: datetime, kind: str) -> bool:
        seats = self._take()
        if seats is None:
            return False
        rng, show_id = self.rng, stream.show_id
        hold_id, customer = self.new_id(), f"cust-{rng.randrange(500_000)}"
        lines = [{"seat_id": s.seat_id, "zone_id": s.zone_id, "price_cents": s.price_cents} for s in seats]
        who = {"order_id": self.new_id(), "customer_id": customer,
               "referrer_id": f"ref-{rng.randrange(40):02d}" if rng.random() < 0.6 else None,
               "lines": lines}  # fmt: skip
        placed = at + timedelta(seconds=30)
        live = self.now + timedelta(minutes=LIVE_MINUTES)
        order = PlacedOrder(hold_id, sum(s.price_cents for s in seats), placed,
                            live if kind == "pending" else placed + timedelta(minutes=15), who)  # fmt: skip
        ids = tuple(s.seat_id for s in seats)
        expires = at + timedelta(minutes=10)
        stream.emit(
            SeatsHeld,
            {"hold_id": hold_id, "customer_id": customer, "seat_ids": ids, "expires_at": expires},
            at,
        )
        placed_event = {"order_id": order.order_id, "hold_id": hold_id, "customer_id": customer,
                        "referrer_id": who["referrer_id"], "lines": lines, "total_cents": order.total,
                        "pay_by": order.pay_by}  # fmt: skip
        stream.emit(OrderPlaced, placed_event, placed)
        if kind == "pending":
            end = Outcome("pending", ("held", hold_id, order.order_id, None))
        else:
            end = settle(stream, rng, order, self.now)
        if end.seat[0] != "available":
            self.state.update(dict.fromkeys(ids, end.seat))
        out.tables["holds"].append((hold_id, show_id, customer, list(ids), "ordered", expires, at, placed))
        lines_json = orjson.dumps(lines).decode()
        out.tables["orders"].append(
            (order.order_id, show_id, hold_id, customer, who["referrer_id"], lines_json, order.total,
             end.status, order.pay_by, end.payment_ref, end.paid_at, end.refunded, end.reason, placed,
             end.ended)
        )  # fmt: skip
        return True
