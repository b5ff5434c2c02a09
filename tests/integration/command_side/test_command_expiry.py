"""Expiry of lapsed holds and overdue orders, and taking over a lapsed hold's seats."""

import asyncio

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from command_side.settings import CommandSettings
from command_side.worker.expirer import Expirer
from contracts import HoldReleased, OrderExpired, SeatsHeld
from tests.integration.command_side import cmd_support

pytestmark = pytest.mark.integration


@pytest.fixture
def expirer(command_settings: CommandSettings, engine: AsyncEngine) -> Expirer:
    return Expirer(command_settings, engine)


async def seat_status(settings: CommandSettings, show_id: str, seat_id: str) -> str:
    row = await cmd_support.fetch_one(
        settings.database_url,
        "SELECT status FROM write_model.seat_inventory WHERE show_id = %s AND seat_id = %s",
        show_id,
        seat_id,
    )
    assert row is not None
    return str(row[0])


async def test_a_lapsed_hold_is_expired_once(
    client: httpx.AsyncClient, command_settings: CommandSettings, expirer: Expirer
) -> None:
    show_id = await cmd_support.new_show(client)
    hold_id = (await cmd_support.hold(client, show_id, "c1", ["A-1-1", "A-1-2"], ttl_seconds=1))["hold_id"]
    live = await cmd_support.hold(client, show_id, "c2", ["A-1-3"], ttl_seconds=600)
    await asyncio.sleep(1.2)
    while await expirer.expire_once():  # the private database may hold lapsed holds of other tests
        pass
    events = await cmd_support.outbox_events(command_settings.database_url, show_id)
    released = [e.payload for e in events if isinstance(e.payload, HoldReleased)]
    assert len(released) == 1
    assert str(released[0].hold_id) == hold_id
    assert released[0].reason == "expired"
    assert set(released[0].seat_ids) == {"A-1-1", "A-1-2"}
    assert await seat_status(command_settings, show_id, "A-1-1") == "available"
    assert await seat_status(command_settings, show_id, "A-1-3") == "held"
    await expirer.expire_once()
    assert len(await cmd_support.outbox(command_settings.database_url, show_id)) == len(events), (
        "expired twice"
    )
    ordered = await cmd_support.post_order(client, hold_id, "c1")
    assert ordered.status_code == 409
    assert live


async def test_a_new_hold_on_a_lapsed_hold_emits_both_events_in_order(
    client: httpx.AsyncClient, command_settings: CommandSettings, expirer: Expirer
) -> None:
    show_id = await cmd_support.new_show(client)
    lapsed = (await cmd_support.hold(client, show_id, "c1", ["A-1-1", "A-1-2"], ttl_seconds=1))["hold_id"]
    await asyncio.sleep(1.2)
    taker = (await cmd_support.hold(client, show_id, "c2", ["A-1-2", "A-1-3"]))["hold_id"]
    events = await cmd_support.outbox_events(command_settings.database_url, show_id)
    released, held = events[-2], events[-1]
    assert isinstance(released.payload, HoldReleased)
    assert str(released.payload.hold_id) == lapsed
    assert released.payload.reason == "expired"
    assert isinstance(held.payload, SeatsHeld)
    assert str(held.payload.hold_id) == taker
    assert held.envelope.seq == released.envelope.seq + 1
    assert held.envelope.causation_id == released.envelope.causation_id, "not one transaction"
    assert await seat_status(command_settings, show_id, "A-1-1") == "available"
    count = len(events)
    await expirer.expire_once()
    assert len(await cmd_support.outbox(command_settings.database_url, show_id)) == count


async def test_an_overdue_order_expires_and_a_late_payment_is_refused(
    make_client: cmd_support.ClientFactory, command_settings: CommandSettings, expirer: Expirer
) -> None:
    client = make_client(order_pay_by_seconds=1)
    show_id = await cmd_support.new_show(client)
    held = await cmd_support.hold(client, show_id, "c1", ["A-2-1", "A-2-2"])
    order = await cmd_support.place_order(client, held["hold_id"], "c1")
    await asyncio.sleep(1.2)
    pay = {"payment_ref": "late", "amount_cents": order["total_cents"]}
    url = f"/v1/orders/{order['order_id']}/payment"
    late = await client.post(url, json=pay, headers=cmd_support.as_customer("c1"))
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "order_not_payable"
    while await expirer.expire_once():
        pass
    events = await cmd_support.outbox_events(command_settings.database_url, show_id)
    assert isinstance(events[-1].payload, OrderExpired)
    assert str(events[-1].payload.order_id) == order["order_id"]
    assert await seat_status(command_settings, show_id, "A-2-1") == "available"
    again = await client.post(url, json=pay, headers=cmd_support.as_customer("c1"))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "order_not_payable"
    resold = await cmd_support.hold(client, show_id, "c2", ["A-2-1"])
    assert resold
    await client.aclose()
