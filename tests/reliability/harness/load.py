"""A bounded mixed load of checkout journeys over HTTP that records every accepted command.

Customers hold seats (explicit seats from a small pool, so they collide, or
best available), then release, abandon, or order; orders are paid, cancelled
before or after payment, or left to expire. Every request carries an
``Idempotency-Key``; a request that meets a dropped connection or a 503 is
retried with the same key, so a command whose answer was lost is still
recorded once. The load is bounded by a journey count and a duration.
"""

import asyncio
import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import httpx

from command_side.devtools import show_setup

SEATS_PER_ROW = 8
LAYOUT = show_setup.zones(("A", "B"), 3, SEATS_PER_ROW)
PRICES = {"A": 4_500, "B": 2_500}


@dataclass(frozen=True, slots=True)
class Show:
    show_id: str
    seat_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Accepted:
    """A command that got a 2xx: what it did and the consistency token it returned."""

    kind: str  # hold, release, order, payment, cancel
    show_id: str
    entity_id: str  # the hold id (hold, release) or the order id (order, payment, cancel)
    token: str
    detail: dict[str, Any]


@dataclass
class Ledger:
    """What the load sent and what it was told."""

    accepted: list[Accepted] = field(default_factory=list)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    unreachable: Counter[str] = field(default_factory=Counter)
    server_errors: list[tuple[str, int, str, str | None]] = field(default_factory=list)
    journeys: int = 0

    @property
    def payment_refs(self) -> list[str]:
        return [a.detail["payment_ref"] for a in self.accepted if a.kind == "payment"]

    def figures(self) -> dict[str, Any]:
        by_status: Counter[int] = Counter()
        for (_, status), n in self.statuses.items():
            by_status[status] += n
        return {
            "journeys": self.journeys,
            "requests": sum(self.statuses.values()) + sum(self.unreachable.values()),
            "accepted": dict(Counter(a.kind for a in self.accepted)),
            "by_status": {str(k): v for k, v in sorted(by_status.items())},
            "unreachable": sum(self.unreachable.values()),
        }


class Load:
    """Drives journeys against one or more command APIs (round robin) with the checkout key."""

    def __init__(self, api_urls: list[str], keys: dict[str, str], *, seed: int | None = None) -> None:
        self.clients = [httpx.AsyncClient(base_url=url, timeout=20) for url in api_urls]
        self._next = itertools.cycle(range(len(self.clients)))
        self.keys = keys
        self.rng = random.Random(seed)
        self._finished = False
        self.ledger = Ledger()
        self.shows: list[Show] = []

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()

    async def setup(self, shows: int = 3) -> list[Show]:
        """One venue and ``shows`` shows of it (6 rows of 8 seats), as the operator."""
        auth = {"Authorization": f"Bearer {self.keys['operator']}"}
        client = self.clients[0]
        venue_id = await show_setup.create_venue(client, auth, LAYOUT, name=f"venue-{uuid4().hex[:8]}")
        seat_ids = tuple(
            f"{z['zone_id']}-{r['row']}-{n}"
            for z in LAYOUT
            for r in z["rows"]
            for n in range(1, SEATS_PER_ROW + 1)
        )
        for i in range(shows):
            show_id = await show_setup.schedule_show(
                client, auth, venue_id, PRICES, title=f"show {i}", starts_at="2031-05-01T20:00:00Z"
            )
            self.shows.append(Show(show_id, seat_ids))
        return self.shows

    def finish(self) -> None:
        """End the load after the journeys in progress (:meth:`run` returns then)."""
        self._finished = True

    async def run(self, *, duration_s: float, max_journeys: int, customers: int = 4) -> Ledger:
        """Run journeys from ``customers`` concurrent customers until either bound is reached,
        or until :meth:`finish`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + duration_s
        budget = iter(range(max_journeys))

        async def customer(n: int) -> None:
            for _ in budget:
                if loop.time() > deadline or self._finished:
                    return
                self.ledger.journeys += 1
                await self.journey(f"cust-{n}-{self.rng.randrange(10**6)}")
                await asyncio.sleep(0.02)

        await asyncio.gather(*(customer(n) for n in range(customers)))
        return self.ledger

    async def send(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        customer: str | None = None,
        attempts: int = 20,
    ) -> httpx.Response | None:
        """One command; retried with the same Idempotency-Key while unreachable or answering 503."""
        headers = {"Authorization": f"Bearer {self.keys['checkout']}", "Idempotency-Key": uuid4().hex}
        if customer is not None:
            headers["X-Customer-Id"] = customer
        for _ in range(attempts):
            client = self.clients[next(self._next)]
            try:
                response = await client.request(method, path, json=json, headers=headers)
            except httpx.TransportError:
                self.ledger.unreachable[kind] += 1
                await asyncio.sleep(0.5)
                continue
            self.ledger.statuses[(kind, response.status_code)] += 1
            if response.status_code >= 500:
                retry_after = response.headers.get("retry-after")
                self.ledger.server_errors.append(
                    (kind, response.status_code, response.text[:300], retry_after)
                )
                if response.status_code == 503:
                    await asyncio.sleep(0.5)
                    continue
            return response
        return None

    def _accept(
        self, kind: str, response: httpx.Response, show_id: str, entity_id: str, **detail: Any
    ) -> None:
        body = response.json()
        assert response.headers.get("x-consistency-token") == body["consistency_token"]
        self.ledger.accepted.append(Accepted(kind, show_id, entity_id, body["consistency_token"], detail))

    async def journey(self, customer: str) -> None:
        rng = self.rng
        show = rng.choice(self.shows)
        body: dict[str, Any] = {"customer_id": customer}
        if rng.random() < 0.6:
            body["seat_ids"] = rng.sample(show.seat_ids, rng.randint(1, 3))
        else:
            body |= {"zone_id": rng.choice("AB"), "quantity": rng.randint(1, 3)}
        short = rng.random() < 0.2
        if short:
            body["ttl_seconds"] = 2  # left to expire
        held = await self.send("hold", "POST", f"/v1/shows/{show.show_id}/holds", json=body)
        if held is None or held.status_code != 201:
            return
        hold = held.json()
        self._accept(
            "hold",
            held,
            hold["show_id"],
            hold["hold_id"],
            seat_ids=hold["seat_ids"],
            customer_id=customer,
            ttl_seconds=body.get("ttl_seconds"),
        )
        dice = rng.random()
        if short or dice < 0.1:
            return
        if dice < 0.25:
            released = await self.send("release", "DELETE", f"/v1/holds/{hold['hold_id']}", customer=customer)
            if released is not None and released.status_code == 200:
                self._accept("release", released, hold["show_id"], hold["hold_id"])
            return
        await self._order(customer, hold)

    async def _order(self, customer: str, hold: dict[str, Any]) -> None:
        rng = self.rng
        body: dict[str, Any] = {"hold_id": hold["hold_id"], "customer_id": customer}
        if rng.random() < 0.5:
            body["referrer_id"] = rng.choice(["partner-1", "partner-2"])
        placed = await self.send("order", "POST", "/v1/orders", json=body)
        if placed is None or placed.status_code != 201:
            return
        order = placed.json()
        oid, show_id = order["order_id"], hold["show_id"]
        self._accept(
            "order",
            placed,
            show_id,
            oid,
            hold_id=hold["hold_id"],
            total_cents=order["total_cents"],
            seat_ids=order["seat_ids"],
        )
        dice = rng.random()
        if dice < 0.6:
            ref = f"payref-{uuid4().hex}"
            paid = await self.send(
                "payment",
                "POST",
                f"/v1/orders/{oid}/payment",
                customer=customer,
                json={"payment_ref": ref, "amount_cents": order["total_cents"]},
            )
            if paid is None or paid.status_code != 200:
                return
            self._accept("payment", paid, show_id, oid, payment_ref=ref)
            if rng.random() > 0.2:
                return
        elif dice > 0.75:
            return  # left pending until it expires
        cancelled = await self.send(
            "cancel",
            "POST",
            f"/v1/orders/{oid}/cancel",
            customer=customer,
            json={"reason": "changed my mind"},
        )
        if cancelled is not None and cancelled.status_code == 200:
            self._accept("cancel", cancelled, show_id, oid, refunded_cents=cancelled.json()["refunded_cents"])
