"""The per-customer seat limit of a show over the real app and PostgreSQL, also under racing holds."""

import asyncio
from typing import Any

import httpx
import pytest

from command_side.settings import CommandSettings
from contracts import SeatsHeld
from tests.integration.command_side import cmd_support

pytestmark = pytest.mark.integration


def seats(row: int, *numbers: int) -> list[str]:
    return [f"A-{row}-{n}" for n in numbers]


async def test_holds_past_the_limit_are_refused_with_what_the_customer_has(
    make_client: cmd_support.ClientFactory,
) -> None:
    client = make_client(max_seats_per_customer=4)
    show_id = await cmd_support.new_show(client)

    first = await cmd_support.post_hold(
        client, show_id, {"customer_id": "lim-1", "seat_ids": seats(1, 1, 2, 3)}
    )
    assert first.status_code == 201
    too_many = await cmd_support.post_hold(
        client, show_id, {"customer_id": "lim-1", "seat_ids": seats(1, 4, 5)}
    )
    best = await cmd_support.post_hold(
        client, show_id, {"customer_id": "lim-1", "zone_id": "A", "quantity": 2}
    )
    for refused in (too_many, best):
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["code"] == "customer_limit_reached"
        assert (error["limit"], error["customer_seats"], error["requested"]) == (4, 3, 2)

    one_more = await cmd_support.post_hold(
        client, show_id, {"customer_id": "lim-1", "zone_id": "A", "quantity": 1}
    )
    assert one_more.status_code == 201
    other_customer = await cmd_support.post_hold(
        client, show_id, {"customer_id": "lim-2", "seat_ids": seats(2, 1, 2, 3, 4)}
    )
    assert other_customer.status_code == 201
    other_show = await cmd_support.new_show(client)
    same_customer_elsewhere = await cmd_support.post_hold(
        client, other_show, {"customer_id": "lim-1", "seat_ids": seats(1, 1)}
    )
    assert same_customer_elsewhere.status_code == 201
    await client.aclose()


async def test_orders_count_and_ended_holds_and_orders_give_seats_back(
    make_client: cmd_support.ClientFactory,
) -> None:
    client = make_client(max_seats_per_customer=3)
    show_id = await cmd_support.new_show(client)
    customer = cmd_support.as_customer("lim-3")
    held = await cmd_support.post_hold(client, show_id, {"customer_id": "lim-3", "seat_ids": seats(1, 1, 2)})
    order = await cmd_support.place_order(client, held.json()["hold_id"], "lim-3")
    paid = await client.post(
        f"/v1/orders/{order['order_id']}/payment",
        json={"payment_ref": "p-1", "amount_cents": order["total_cents"]},
        headers=customer,
    )
    assert paid.status_code == 200

    refused = await cmd_support.post_hold(
        client, show_id, {"customer_id": "lim-3", "seat_ids": seats(2, 1, 2)}
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["customer_seats"] == 2, "paid seats count"
    last = await cmd_support.post_hold(client, show_id, {"customer_id": "lim-3", "seat_ids": seats(2, 1)})
    assert last.status_code == 201
    released = await client.delete(f"/v1/holds/{last.json()['hold_id']}", headers=customer)
    assert released.status_code == 200
    cancelled = await client.post(f"/v1/orders/{order['order_id']}/cancel", json={}, headers=customer)
    assert cancelled.status_code == 200

    again = await cmd_support.post_hold(
        client, show_id, {"customer_id": "lim-3", "seat_ids": seats(3, 1, 2, 3)}
    )
    assert again.status_code == 201, again.text
    await client.aclose()


async def test_a_lapsed_hold_does_not_count(make_client: cmd_support.ClientFactory) -> None:
    client = make_client(max_seats_per_customer=2)
    show_id = await cmd_support.new_show(client)
    lapsing = await cmd_support.post_hold(
        client, show_id, {"customer_id": "lim-4", "seat_ids": seats(1, 1, 2), "ttl_seconds": 1}
    )
    assert lapsing.status_code == 201
    await asyncio.sleep(1.2)

    renewed = await cmd_support.post_hold(
        client, show_id, {"customer_id": "lim-4", "seat_ids": seats(1, 1, 2)}
    )

    assert renewed.status_code == 201, renewed.text
    await client.aclose()


async def test_a_zero_limit_is_no_limit(make_client: cmd_support.ClientFactory) -> None:
    client = make_client(max_seats_per_customer=0)
    show_id = await cmd_support.new_show(client, rows=3, seats=10)
    for row in (1, 2, 3):
        response = await cmd_support.post_hold(
            client, show_id, {"customer_id": "lim-5", "seat_ids": seats(row, *range(1, 11))}
        )
        assert response.status_code == 201
    await client.aclose()


async def test_50_racing_holds_of_one_customer_stop_exactly_at_the_limit(
    make_client: cmd_support.ClientFactory, command_settings: CommandSettings
) -> None:
    client = make_client(db_pool_timeout_seconds=60)  # the default limit: 10 seats
    show_id = await cmd_support.new_show(client, rows=10, seats=10)

    async def race(i: int) -> httpx.Response:
        if i % 2:
            body: dict[str, Any] = {"customer_id": "racer", "seat_ids": [f"A-{i % 10 + 1}-{i // 10 + 1}"]}
        else:
            body = {"customer_id": "racer", "zone_id": "A", "quantity": 1}
        return await cmd_support.post_hold(client, show_id, body)

    responses = await asyncio.gather(*(race(i) for i in range(50)))
    await client.aclose()

    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 10, statuses
    refused = [r.json()["error"] for r in responses if r.status_code != 201]
    assert len(refused) == 40
    assert all(e["code"] == "customer_limit_reached" for e in refused), refused
    assert all(e["limit"] == 10 and e["customer_seats"] == 10 for e in refused)
    held = await cmd_support.fetch_one(
        command_settings.database_url,
        "SELECT sum(cardinality(seat_ids)) FROM write_model.holds "
        "WHERE show_id = %s AND customer_id = 'racer' AND status = 'live'",
        show_id,
    )
    assert held == (10,)
    events = [e.payload for e in await cmd_support.outbox_events(command_settings.database_url, show_id)]
    assert sum(isinstance(p, SeatsHeld) for p in events) == 10
