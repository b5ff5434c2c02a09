"""Invariants under contention: no seat in two live holds, one effect per idempotency key."""

import asyncio
import random
from typing import Any
from uuid import UUID, uuid4

import httpx
import orjson
import pytest

from command_side.settings import CommandSettings
from contracts.events import SeatsHeld
from tests.integration.command_side import cmd_support

pytestmark = pytest.mark.integration


async def test_200_clients_contending_for_50_seats(
    make_client: cmd_support.ClientFactory, command_settings: CommandSettings
) -> None:
    client = make_client(db_pool_timeout_seconds=60)
    show_id = await cmd_support.new_show(client, rows=5, seats=10)
    seats = [f"A-{r}-{n}" for r in range(1, 6) for n in range(1, 11)]
    rng = random.Random(7)

    async def contend(i: int) -> tuple[int, dict[str, Any], str]:
        customer = f"c{i}"
        if i % 2:
            body: dict[str, Any] = {
                "customer_id": customer,
                "seat_ids": rng.sample(seats, rng.randint(1, 4)),
            }
        else:
            body = {"customer_id": customer, "zone_id": "A", "quantity": rng.randint(1, 4)}
        response = await cmd_support.post_hold(client, show_id, body)
        return response.status_code, response.json(), customer

    results = await asyncio.gather(*(contend(i) for i in range(200)))
    await client.aclose()

    assert {status for status, _, _ in results} <= {201, 409}
    winners = [(body, customer) for status, body, customer in results if status == 201]
    losers = [body for status, body, _ in results if status == 409]
    assert winners
    assert losers
    assert all(body["error"]["code"] == "seats_unavailable" for body in losers)

    held = [seat for body, _ in winners for seat in body["seat_ids"]]
    assert len(held) == len(set(held)), "a seat is in two live holds"

    events = await cmd_support.outbox_events(command_settings.database_url, show_id)
    assert [e.envelope.seq for e in events] == list(range(1, len(events) + 1))
    seats_held = {e.payload.hold_id: e.payload for e in events if isinstance(e.payload, SeatsHeld)}
    assert len(seats_held) == len(winners)
    for body, customer in winners:
        hold_id = UUID(str(body["hold_id"]))
        event = seats_held[hold_id]
        assert event.customer_id == customer
        assert sorted(event.seat_ids) == sorted(body["seat_ids"])
        row = await cmd_support.fetch_one(
            command_settings.database_url,
            "SELECT count(*) FROM write_model.seat_inventory WHERE hold_id = %s AND status = 'held'",
            hold_id,
        )
        assert row is not None
        assert row[0] == len(body["seat_ids"])


async def test_racing_retries_with_one_key_have_one_effect(
    client: httpx.AsyncClient, command_settings: CommandSettings
) -> None:
    show_id = await cmd_support.new_show(client)
    key = str(uuid4())
    body = {"customer_id": "racer", "seat_ids": ["A-1-1", "A-1-2"]}
    headers = {**cmd_support.CHECKOUT, "Idempotency-Key": key}

    responses = await asyncio.gather(
        *(cmd_support.post_hold(client, show_id, body, headers) for _ in range(20))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1, "retries got different answers"
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 19
    assert len({r.headers["X-Consistency-Token"] for r in responses}) == 1

    later = await cmd_support.post_hold(client, show_id, body, headers)
    assert later.content == responses[0].content
    events = await cmd_support.outbox(command_settings.database_url, show_id)
    assert [e.event_type for e in events] == ["ShowScheduled", "SeatsHeld"]

    hold_id = orjson.loads(responses[0].content)["hold_id"]
    order_key = {**cmd_support.CHECKOUT, "Idempotency-Key": str(uuid4())}
    placed = await asyncio.gather(
        *(
            client.post("/v1/orders", json={"hold_id": hold_id, "customer_id": "racer"}, headers=order_key)
            for _ in range(10)
        )
    )
    assert {r.status_code for r in placed} == {201}
    assert len({r.content for r in placed}) == 1
    order = placed[0].json()
    pay_key = {**cmd_support.as_customer("racer"), "Idempotency-Key": str(uuid4())}
    pay = {"payment_ref": "psp-1", "amount_cents": order["total_cents"]}
    paid = await asyncio.gather(
        *(
            client.post(f"/v1/orders/{order['order_id']}/payment", json=pay, headers=pay_key)
            for _ in range(10)
        )
    )
    assert {r.status_code for r in paid} == {200}
    assert len({r.content for r in paid}) == 1
    events = await cmd_support.outbox(command_settings.database_url, show_id)
    assert [e.event_type for e in events] == ["ShowScheduled", "SeatsHeld", "OrderPlaced", "OrderPaid"]


async def test_a_refusal_is_replayed_too(client: httpx.AsyncClient) -> None:
    show_id = await cmd_support.new_show(client)
    await cmd_support.hold(client, show_id, "a", ["A-1-1"])
    headers = {**cmd_support.CHECKOUT, "Idempotency-Key": str(uuid4())}
    body = {"customer_id": "b", "seat_ids": ["A-1-1"]}
    first = await cmd_support.post_hold(client, show_id, body, headers)
    assert first.status_code == 409
    again = await cmd_support.post_hold(client, show_id, body, headers)
    assert again.status_code == 409
    assert again.content == first.content
