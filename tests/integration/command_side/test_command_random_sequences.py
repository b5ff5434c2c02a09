"""Random command sequences keep the invariants: the event fold equals the write model's seat states."""

import asyncio
import random
from typing import Any

import httpx
import psycopg
import pytest

from command_side.adapters.engine import create_engine
from command_side.settings import CommandSettings
from command_side.worker.expirer import Expirer
from contracts import (
    HoldReleased,
    OrderCancelled,
    OrderExpired,
    OrderPaid,
    OrderPlaced,
    SeatsHeld,
    ShowScheduled,
    decode_event,
)
from infra.db import libpq_dsn
from tests.integration.command_side.cmd_support import CHECKOUT, OPERATOR, as_customer, new_show, outbox

pytestmark = pytest.mark.integration


def fold(bodies: list[bytes]) -> dict[str, str]:
    """Seat statuses from the events alone (the projection's view of the show)."""
    seats: dict[str, str] = {}
    for body in bodies:
        payload = decode_event(body).payload
        if isinstance(payload, ShowScheduled):
            for zone in payload.zones:
                for row in zone.rows:
                    seats.update(
                        {f"{zone.zone_id}-{row.row}-{n}": "available" for n in range(1, row.seats + 1)}
                    )
        elif isinstance(payload, SeatsHeld):
            seats.update(dict.fromkeys(payload.seat_ids, "held"))
        elif isinstance(payload, HoldReleased):
            seats.update(dict.fromkeys(payload.seat_ids, "available"))
        elif isinstance(payload, OrderPlaced | OrderPaid | OrderCancelled | OrderExpired):
            status = {OrderPlaced: "held", OrderPaid: "sold"}.get(type(payload), "available")
            seats.update({line.seat_id: status for line in payload.lines})
    return seats


async def test_random_commands_keep_events_and_state_in_step(
    client: httpx.AsyncClient, command_settings: CommandSettings
) -> None:
    show_id = await new_show(client, rows=3, seats=6, zones=("A", "B"))
    engine = create_engine(command_settings)
    expirer = Expirer(command_settings, engine)
    rng = random.Random(2024)
    holds: list[tuple[str, str]] = []
    orders: list[tuple[str, str, int]] = []
    seats = [f"{z}-{r}-{n}" for z in "AB" for r in range(1, 4) for n in range(1, 7)]

    async def step() -> None:
        action = rng.choice(["hold", "best", "release", "order", "pay", "cancel", "expire"])
        customer = f"c{rng.randint(1, 4)}"
        response: httpx.Response | None = None
        if action == "hold":
            body: dict[str, Any] = {"customer_id": customer, "seat_ids": rng.sample(seats, rng.randint(1, 3))}
            body["ttl_seconds"] = rng.choice([1, 600])
            response = await client.post(f"/v1/shows/{show_id}/holds", json=body, headers=CHECKOUT)
            if response.status_code == 201:
                holds.append((response.json()["hold_id"], customer))
        elif action == "best":
            body = {"customer_id": customer, "zone_id": rng.choice("AB"), "quantity": rng.randint(1, 4)}
            response = await client.post(f"/v1/shows/{show_id}/holds", json=body, headers=CHECKOUT)
            if response.status_code == 201:
                holds.append((response.json()["hold_id"], customer))
        elif action == "release" and holds:
            hold_id, owner = rng.choice(holds)
            response = await client.delete(f"/v1/holds/{hold_id}", headers=as_customer(owner))
        elif action == "order" and holds:
            hold_id, owner = rng.choice(holds)
            response = await client.post(
                "/v1/orders", json={"hold_id": hold_id, "customer_id": owner}, headers=CHECKOUT
            )
            if response.status_code == 201:
                orders.append((response.json()["order_id"], owner, response.json()["total_cents"]))
        elif action == "pay" and orders:
            order_id, owner, total = rng.choice(orders)
            pay = {"payment_ref": "p", "amount_cents": total}
            response = await client.post(
                f"/v1/orders/{order_id}/payment", json=pay, headers=as_customer(owner)
            )
        elif action == "cancel" and orders:
            order_id, owner, _ = rng.choice(orders)
            response = await client.post(f"/v1/orders/{order_id}/cancel", headers=OPERATOR)
        elif action == "expire":
            await asyncio.sleep(0.3)
            await expirer.expire_once()
        if response is not None:
            assert response.status_code < 500, response.text

    for _ in range(25):
        await asyncio.gather(*(step() for _ in range(8)))
    await engine.dispose()

    stored = await outbox(command_settings.database_url, show_id)
    assert [row.seq for row in stored] == list(range(1, len(stored) + 1))
    kinds = {row.event_type for row in stored}
    assert {"SeatsHeld", "HoldReleased", "OrderPlaced", "OrderPaid", "OrderCancelled"} <= kinds, kinds
    async with await psycopg.AsyncConnection.connect(libpq_dsn(command_settings.database_url)) as conn:
        cursor = await conn.execute(
            "SELECT seat_id, status FROM write_model.seat_inventory WHERE show_id = %s", (show_id,)
        )
        state: dict[str, str] = dict(await cursor.fetchall())
    assert fold([row.body for row in stored]) == state
