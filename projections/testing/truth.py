"""Test support (see :mod:`projections.testing`): what the read models must hold after a
simulation, computed from its write-side state alone."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from projections.dashboard.fold import TOTALS

if TYPE_CHECKING:
    from projections.testing.simulation import Simulation

K = TypeVar("K")
T = TypeVar("T", bound=tuple[int, ...])


@dataclass
class Truth:
    """What the write side holds after the simulated commands."""

    seats: dict[tuple[UUID, str], str]
    totals: dict[str, int]
    by_day: dict[object, tuple[int, int, int]]
    by_show: dict[UUID, tuple[int, int, int]]  # sold, held, revenue
    by_zone: dict[tuple[UUID, str], tuple[int, int]]  # sold, revenue
    by_referrer: dict[str, tuple[int, int, int]]


def truth_of(sim: "Simulation") -> Truth:
    """The read models' expected content, computed from the write-side state alone."""
    seats = {(s.show_id, seat): st for s in sim.shows.values() for seat, st in s.status.items()}
    totals = dict.fromkeys(TOTALS, 0)
    by_day: dict[object, tuple[int, int, int]] = {}
    by_referrer: dict[str, tuple[int, int, int]] = {}
    by_zone: dict[tuple[UUID, str], tuple[int, int]] = {}
    revenue: dict[UUID, int] = {}
    for order in sim.orders.values():
        totals[f"orders_{order.status}"] += 1
        totals["refunded_cents"] += order.refunded
        if order.status != "paid":
            continue
        n, amount = len(order.lines), order.amount
        totals["tickets_sold"] += n
        totals["revenue_cents"] += amount
        revenue[order.show_id] = revenue.get(order.show_id, 0) + amount
        assert order.paid_at is not None
        _bump(by_day, order.paid_at.date(), (1, n, amount))
        if order.referrer:
            _bump(by_referrer, order.referrer, (1, n, amount))
        for li in order.lines:
            _bump(by_zone, (order.show_id, li.zone_id), (1, li.price_cents))
    totals["live_holds"] = sum(len(s.holds) for s in sim.shows.values())
    totals["held_seats"] = sum(1 for st in seats.values() if st == "held")
    by_show = {
        s.show_id: (
            sum(st == "sold" for st in s.status.values()),
            sum(st == "held" for st in s.status.values()),
            revenue.get(s.show_id, 0),
        )
        for s in sim.shows.values()
    }
    return Truth(seats, totals, by_day, by_show, by_zone, by_referrer)


def _bump(target: dict[K, T], key: K, add: T) -> None:
    old: tuple[int, ...] = target.get(key, (0,) * len(add))
    target[key] = tuple(a + b for a, b in zip(old, add, strict=True))  # type: ignore[assignment]
