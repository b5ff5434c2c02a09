"""Extending a live hold over the real app and PostgreSQL: expiry, cap, ownership, the event, the expirer."""

import asyncio
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from command_side.handlers.expiry import expire_hold
from command_side.handlers.runner import run_command
from command_side.settings import CommandSettings
from command_side.worker.expirer import Expirer
from contracts import ConsistencyToken, HoldExtended, HoldReleased, decode_event
from tests.integration.command_side import cmd_support

pytestmark = pytest.mark.integration


async def extend(
    client: httpx.AsyncClient, hold_id: str, ttl: int, headers: dict[str, str], **extra: str
) -> httpx.Response:
    return await client.post(
        f"/v1/holds/{hold_id}/extend", json={"ttl_seconds": ttl}, headers={**headers, **extra}
    )


async def stored_expiry(settings: CommandSettings, hold_id: str) -> tuple[datetime, list[datetime]]:
    """The hold's expires_at and the held_until of its seats."""
    row = await cmd_support.fetch_one(
        settings.database_url, "SELECT expires_at FROM write_model.holds WHERE hold_id = %s", hold_id
    )
    seats = await cmd_support.fetch_one(
        settings.database_url,
        "SELECT array_agg(held_until) FROM write_model.seat_inventory WHERE hold_id = %s",
        hold_id,
    )
    assert row is not None
    assert seats is not None
    return row[0], list(seats[0])


async def test_an_extension_moves_the_expiry_and_appends_hold_extended(
    client: httpx.AsyncClient, command_settings: CommandSettings
) -> None:
    show_id = await cmd_support.new_show(client)
    held = await cmd_support.hold(client, show_id, "ext-1", ["A-1-1", "A-1-2"], ttl_seconds=60)

    response = await extend(client, held["hold_id"], 900, cmd_support.as_customer("ext-1"))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["hold_id"] == held["hold_id"]
    assert body["show_id"] == show_id
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert expires_at > datetime.fromisoformat(held["expires_at"]) + timedelta(seconds=800)
    assert response.headers["X-Consistency-Token"] == body["consistency_token"]
    assert await stored_expiry(command_settings, held["hold_id"]) == (expires_at, [expires_at, expires_at])

    rows = await cmd_support.outbox(command_settings.database_url, show_id)
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    last = decode_event(rows[-1].body)
    assert isinstance(last.payload, HoldExtended)
    assert str(last.payload.hold_id) == held["hold_id"]
    assert last.payload.expires_at == expires_at
    assert sorted(last.payload.seat_ids) == ["A-1-1", "A-1-2"]
    assert ConsistencyToken.decode(body["consistency_token"]).seq == last.envelope.seq == rows[-1].seq


async def test_an_extension_is_capped_at_the_maximum_lifetime(make_client: cmd_support.ClientFactory) -> None:
    client = make_client(hold_max_lifetime_seconds=120)
    show_id = await cmd_support.new_show(client)
    held = await cmd_support.hold(client, show_id, "ext-2", ["A-1-1"], ttl_seconds=60)

    capped = await extend(client, held["hold_id"], 3600, cmd_support.as_customer("ext-2"))

    assert capped.status_code == 200, capped.text
    body = capped.json()
    assert body["expires_at"] == body["max_expires_at"]
    made_at = datetime.fromisoformat(held["expires_at"]) - timedelta(seconds=60)
    assert datetime.fromisoformat(body["max_expires_at"]) == made_at + timedelta(seconds=120)

    again = await extend(client, held["hold_id"], 3600, cmd_support.as_customer("ext-2"))
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "hold_lifetime_exceeded"
    assert datetime.fromisoformat(error["max_expires_at"]) == datetime.fromisoformat(body["max_expires_at"])

    shorter = await extend(client, held["hold_id"], 30, cmd_support.as_customer("ext-2"))
    assert shorter.status_code == 200
    assert shorter.json()["expires_at"] == body["expires_at"], "an extension never shortens a hold"
    await client.aclose()


async def test_only_a_live_hold_can_be_extended(
    client: httpx.AsyncClient, command_settings: CommandSettings
) -> None:
    show_id = await cmd_support.new_show(client)
    short = await cmd_support.hold(client, show_id, "ext-3", ["A-2-1"], ttl_seconds=1)
    ordered = await cmd_support.hold(client, show_id, "ext-3", ["A-2-2"], ttl_seconds=60)
    await cmd_support.place_order(client, ordered["hold_id"], "ext-3")
    released = await cmd_support.hold(client, show_id, "ext-3", ["A-2-3"], ttl_seconds=60)
    gone = await client.delete(f"/v1/holds/{released['hold_id']}", headers=cmd_support.as_customer("ext-3"))
    assert gone.status_code == 200
    await asyncio.sleep(1.2)
    count = len(await cmd_support.outbox(command_settings.database_url, show_id))

    for held, status in ((short, "expired"), (ordered, "ordered"), (released, "released")):
        response = await extend(client, held["hold_id"], 600, cmd_support.as_customer("ext-3"))
        assert response.status_code == 409, response.text
        assert response.json()["error"] == {
            "code": "hold_not_live",
            "message": f"this hold is {status}",
            "status": status,
        }
    assert len(await cmd_support.outbox(command_settings.database_url, show_id)) == count


async def test_who_may_extend_and_what_is_refused(client: httpx.AsyncClient) -> None:
    show_id = await cmd_support.new_show(client)
    held = await cmd_support.hold(client, show_id, "ext-4", ["A-3-1"], ttl_seconds=60)

    other = await extend(client, held["hold_id"], 600, cmd_support.as_customer("someone-else"))
    assert other.status_code == 403
    assert other.json()["error"]["code"] == "not_your_hold"
    anonymous = await extend(client, held["hold_id"], 600, cmd_support.CHECKOUT)
    assert anonymous.status_code == 422
    assert anonymous.json()["error"]["code"] == "customer_id_required"
    unknown = await extend(
        client, "7d1b6f0e-0000-4000-8000-000000000000", 600, cmd_support.as_customer("ext-4")
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "hold_not_found"
    for bad in (0, 999_999):
        out_of_range = await extend(client, held["hold_id"], bad, cmd_support.as_customer("ext-4"))
        assert out_of_range.status_code == 422
        assert out_of_range.json()["error"]["code"] == "ttl_out_of_range"
    not_a_number = await client.post(
        f"/v1/holds/{held['hold_id']}/extend",
        json={"ttl_seconds": "600"},
        headers=cmd_support.as_customer("ext-4"),
    )
    assert not_a_number.status_code == 422
    assert not_a_number.json()["error"]["code"] == "invalid_request"
    operator = await extend(client, held["hold_id"], 600, cmd_support.OPERATOR)
    assert operator.status_code == 200


async def test_a_retried_extension_has_one_effect(
    client: httpx.AsyncClient, command_settings: CommandSettings
) -> None:
    show_id = await cmd_support.new_show(client)
    held = await cmd_support.hold(client, show_id, "ext-5", ["A-4-1"], ttl_seconds=60)
    key = {"Idempotency-Key": "extend-once"}

    first = await extend(client, held["hold_id"], 600, cmd_support.as_customer("ext-5"), **key)
    second = await extend(client, held["hold_id"], 600, cmd_support.as_customer("ext-5"), **key)
    other_body = await extend(client, held["hold_id"], 700, cmd_support.as_customer("ext-5"), **key)

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second.headers["Idempotent-Replayed"] == "true"
    assert other_body.status_code == 422
    assert other_body.json()["error"]["code"] == "idempotency_key_reused"
    events = [e.payload for e in await cmd_support.outbox_events(command_settings.database_url, show_id)]
    assert sum(isinstance(p, HoldExtended) for p in events) == 1


async def test_the_expirer_honours_the_new_expiry(
    client: httpx.AsyncClient, command_settings: CommandSettings, engine: AsyncEngine
) -> None:
    show_id = await cmd_support.new_show(client)
    held = await cmd_support.hold(client, show_id, "ext-6", ["A-5-1", "A-5-2"], ttl_seconds=1)
    extended = await extend(client, held["hold_id"], 60, cmd_support.as_customer("ext-6"))
    assert extended.status_code == 200
    new_expiry = datetime.fromisoformat(extended.json()["expires_at"])
    await asyncio.sleep(1.2)  # past the hold's first expiry

    expirer = Expirer(command_settings, engine)
    while await expirer.expire_once():  # the private database may hold lapsed holds of other tests
        pass
    # another customer cannot take the seats at the old expiry either
    taken = await cmd_support.post_hold(client, show_id, {"customer_id": "ext-7", "seat_ids": ["A-5-1"]})
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "seats_unavailable"
    events = [e.payload for e in await cmd_support.outbox_events(command_settings.database_url, show_id)]
    assert not any(isinstance(p, HoldReleased) for p in events)

    before = await run_command(
        engine, expire_hold(held["hold_id"]), clock=lambda: new_expiry - timedelta(seconds=1)
    )
    assert b'"expired":false' in before.body
    at_new_expiry = await run_command(engine, expire_hold(held["hold_id"]), clock=lambda: new_expiry)
    assert b'"expired":true' in at_new_expiry.body
    events = [e.payload for e in await cmd_support.outbox_events(command_settings.database_url, show_id)]
    assert isinstance(events[-1], HoldReleased)
    assert events[-1].reason == "expired"
    assert str(events[-1].hold_id) == held["hold_id"]
    row = await cmd_support.fetch_one(
        command_settings.database_url,
        "SELECT status FROM write_model.holds WHERE hold_id = %s",
        held["hold_id"],
    )
    assert row == ("expired",)


async def test_the_openapi_document_shows_the_route(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()

    operation = document["paths"]["/v1/holds/{hold_id}/extend"]["post"]
    assert "HoldExtended" in operation["description"]
    assert {"200", "403", "404", "409", "422"} <= set(operation["responses"])
