"""Racing retries under one Idempotency-Key, on the paths whose claim rides inside another statement.

The claim of a hold runs inside the customer's lock statement, and a
best-available hold reads its first page of free seats in that round trip: a
duplicate waits on the key there, then must still answer what the first one
answered, and a key reused with another body must still be refused.
"""

import asyncio
from uuid import uuid4

import httpx
import pytest

from command_side.settings import CommandSettings
from tests.integration.command_side import cmd_support

pytestmark = pytest.mark.integration


async def test_racing_best_available_retries_with_one_key_have_one_effect(
    client: httpx.AsyncClient, command_settings: CommandSettings
) -> None:
    show_id = await cmd_support.new_show(client)
    headers = {**cmd_support.CHECKOUT, "Idempotency-Key": str(uuid4())}
    body = {"customer_id": "racer", "zone_id": "A", "quantity": 3}

    responses = await asyncio.gather(
        *(cmd_support.post_hold(client, show_id, body, headers) for _ in range(20))
    )
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    assert len({r.content for r in responses}) == 1, "retries got different answers"
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 19
    events = await cmd_support.outbox(command_settings.database_url, show_id)
    assert [e.event_type for e in events] == ["ShowScheduled", "SeatsHeld"]
    held = await cmd_support.fetch_one(
        command_settings.database_url,
        "SELECT count(*) FROM write_model.seat_inventory WHERE show_id = %s AND status = 'held'",
        show_id,
    )
    assert held == (3,)


async def test_a_key_reused_across_hold_kinds_is_refused_while_the_first_is_racing(
    client: httpx.AsyncClient,
) -> None:
    show_id = await cmd_support.new_show(client)
    headers = {**cmd_support.CHECKOUT, "Idempotency-Key": str(uuid4())}
    named = {"customer_id": "racer", "seat_ids": ["A-1-1"]}
    best = {"customer_id": "racer", "zone_id": "A", "quantity": 1}

    responses = await asyncio.gather(
        *(cmd_support.post_hold(client, show_id, named if i % 2 else best, headers) for i in range(10))
    )
    winners = [i % 2 for i, r in enumerate(responses) if r.status_code == 201]
    assert len(winners) == 5, "one body's five requests win, the other's are refused"
    assert len(set(winners)) == 1, "both bodies won under one key"
    assert len({r.content for r in responses if r.status_code == 201}) == 1
    refused = [r for r in responses if r.status_code != 201]
    assert {r.status_code for r in refused} == {422}, [r.text for r in refused]
    assert {r.json()["error"]["code"] for r in refused} == {"idempotency_key_reused"}
