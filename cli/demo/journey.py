"""One customer's checkout, planned up front (pure) and then played against the APIs.

A journey holds seats (picked from the seat map, or best-available by zone),
then abandons the hold, lets it expire, or orders (through a referrer, maybe),
pays the order total and, now and then, cancels. A 409 is answered like a real
checkout would: pick other seats and try again, a bounded number of times.
"""

import asyncio
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from cli.demo.api import BoxofficeClient, Reply
from cli.demo.catalog import Catalog, ShowOnSale
from cli.demo.layout import REFERRERS
from cli.demo.seat_picking import pick_together
from cli.demo.stats import DemoStats

Ending = Literal["abandon", "expire", "order"]
HOLD_ATTEMPTS = 4


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How a crowd of customers behaves; probabilities are per journey."""

    pick_from_map: float = 0.5
    abandon: float = 0.12
    let_expire: float = 0.04
    pay: float = 0.95
    cancel_after_paying: float = 0.05
    with_referrer: float = 0.6
    expiring_ttl_seconds: int = 30  # the shortest hold the command API allows by default
    max_quantity: int = 4
    think_seconds: float = 0.3  # mean pause between a customer's steps


@dataclass(frozen=True, slots=True)
class JourneyPlan:
    show: ShowOnSale
    zone_id: str
    quantity: int
    from_map: bool
    ending: Ending
    pay: bool
    cancel: bool
    referrer_id: str | None
    ttl_seconds: int | None


def plan_journey(
    rng: random.Random, behaviour: Behaviour, catalog: Catalog, now: float
) -> JourneyPlan | None:
    """Decide a journey; None when every zone of every show looks sold out."""
    open_zones = catalog.open_zones(now)
    if not open_zones:
        return None
    show, zone_id = rng.choice(open_zones)
    roll = rng.random()
    ending: Ending = (
        "abandon"
        if roll < behaviour.abandon
        else "expire"
        if roll < behaviour.abandon + behaviour.let_expire
        else "order"
    )
    pay = ending == "order" and rng.random() < behaviour.pay
    return JourneyPlan(
        show=show,
        zone_id=zone_id,
        # Mostly pairs, like real ticket sales; never more than the configured party size.
        quantity=min(behaviour.max_quantity, rng.choices((1, 2, 3, 4, 6), weights=(15, 45, 15, 20, 5))[0]),
        from_map=rng.random() < behaviour.pick_from_map,
        ending=ending,
        pay=pay,
        cancel=pay and rng.random() < behaviour.cancel_after_paying,
        referrer_id=rng.choice(REFERRERS) if rng.random() < behaviour.with_referrer else None,
        ttl_seconds=behaviour.expiring_ttl_seconds if ending == "expire" else None,
    )


def unavailable_seats(reply: Reply) -> set[str]:
    """The seats a 409 ``seats_unavailable`` names, whatever the list is called."""
    error = reply.body.get("error")
    if not isinstance(error, dict):
        return set()
    for name in ("seat_ids", "seats", "unavailable_seat_ids", "unavailable"):
        value = error.get(name)
        if isinstance(value, list):
            return {str(s) for s in value}
    return set()


class Journey:
    """Plays one plan; every reply is counted by the client, and nothing here raises on a 4xx/5xx."""

    def __init__(
        self,
        client: BoxofficeClient,
        plan: JourneyPlan,
        *,
        rng: random.Random,
        stats: DemoStats,
        catalog: Catalog,
        clock: Callable[[], float],
        think_seconds: float,
    ) -> None:
        self.client, self.plan, self.rng, self.stats = client, plan, rng, stats
        self.catalog, self.clock, self.think_seconds = catalog, clock, think_seconds
        self.customer_id = str(uuid.uuid4())

    async def _think(self) -> None:
        if self.think_seconds > 0:
            await asyncio.sleep(self.rng.expovariate(1 / self.think_seconds))

    async def _selection(self, quantity: int, taken: set[str]) -> dict[str, Any] | None:
        if not self.plan.from_map:
            return {"zone_id": self.plan.zone_id, "quantity": quantity}
        seat_map = await self.client.seat_map(self.plan.show.show_id, self.plan.zone_id)
        seats = seat_map.body.get("seats") if seat_map.ok else None
        if not isinstance(seats, list):
            # No map to pick from (query API busy or behind): fall back to best-available.
            return {"zone_id": self.plan.zone_id, "quantity": quantity}
        picked = pick_together(seats, quantity, self.rng, exclude=taken)
        return {"seat_ids": picked} if picked else None

    async def hold(self) -> dict[str, Any] | None:
        """A live hold's body, or None after a bounded number of tries."""
        quantity, taken = self.plan.quantity, set[str]()
        for attempt in range(HOLD_ATTEMPTS):
            selection = await self._selection(quantity, taken)
            if selection is None:
                break
            if self.plan.ttl_seconds is not None:
                selection["ttl_seconds"] = self.plan.ttl_seconds
            reply = await self.client.hold(self.plan.show.show_id, self.customer_id, selection)
            if reply.ok:
                return reply.body
            if reply.status == 409:
                self.stats.seat_retries += 1
                taken |= unavailable_seats(reply) | set(selection.get("seat_ids", ()))
                if "zone_id" in selection:
                    # Best-available found no block this size: a smaller party may still fit.
                    if quantity == 1:
                        break
                    quantity = max(1, quantity // 2)
                continue
            if reply.status is None or reply.status >= 500:
                await asyncio.sleep(0.2 * (attempt + 1))
                continue
            return None  # another 4xx: counted; retrying the same request cannot help
        self.catalog.mark_sold_out(self.plan.show.show_id, self.plan.zone_id, self.clock())
        return None

    async def run(self) -> str:
        """Play the plan; returns how the journey ended (a label for the display)."""
        held = await self.hold()
        if held is None:
            return "no seats"
        await self._think()
        hold_id = str(held.get("hold_id"))
        if self.plan.ending == "abandon":
            await self.client.release(hold_id, self.customer_id)
            return "abandoned"
        if self.plan.ending == "expire":
            return "left to expire"
        order = await self.client.place_order(hold_id, self.customer_id, self.plan.referrer_id)
        if not order.ok:
            return "order refused"
        if not self.plan.pay:
            return "left unpaid"
        seats = len(order.body.get("seat_ids", held.get("seat_ids", [])))
        return await self._pay_and_maybe_cancel(order.body, seats)

    async def _pay_and_maybe_cancel(self, order: dict[str, Any], seats: int) -> str:
        await self._think()
        # A real checkout charges what the order says it costs: the amount the command API checks.
        order_id, total = str(order.get("order_id")), int(order.get("total_cents", 0))
        paid = await self.client.pay(order_id, self.customer_id, total)
        if not paid.ok:
            return "payment refused"
        self.stats.paid(seats, total)
        if not self.plan.cancel:
            return "paid"
        await self._think()
        cancelled = await self.client.cancel(order_id, self.customer_id, "customer changed plans")
        if not cancelled.ok:
            return "cancel refused"
        self.stats.cancelled_paid(seats, int(cancelled.body.get("refunded_cents", 0)))
        return "cancelled"
