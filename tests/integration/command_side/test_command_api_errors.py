"""Every bad input gets its 4xx and the error shape; an unreachable database gets 503."""

import asyncio
from collections.abc import AsyncIterator
from uuid import uuid4

import httpx
import pytest

from tests.integration.command_side.cmd_support import (
    CHECKOUT,
    OPERATOR,
    VIEWER,
    ClientFactory,
    as_customer,
    hold,
    new_show,
    place_order,
    post_hold,
    post_order,
)

pytestmark = pytest.mark.integration


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    return dict(error)


async def hold_id(
    client: httpx.AsyncClient, show_id: str, customer: str, seats: list[str], **extra: object
) -> str:
    """The id of an accepted hold of ``seats`` for ``customer``."""
    return str((await hold(client, show_id, customer, seats, **extra))["hold_id"])


async def test_authentication_and_roles(client: httpx.AsyncClient) -> None:
    show_id = await new_show(client)
    body = {"customer_id": "c1", "seat_ids": ["A-1-1"]}
    assert_error(await client.post(f"/v1/shows/{show_id}/holds", json=body), 401, "unauthorized")
    bad_key = {"Authorization": "Bearer not-a-key-at-all"}
    assert_error(
        await client.post(f"/v1/shows/{show_id}/holds", json=body, headers=bad_key), 401, "unauthorized"
    )
    assert_error(await client.post(f"/v1/shows/{show_id}/holds", json=body, headers=VIEWER), 403, "forbidden")
    venue = {"name": "v", "zones": [{"zone_id": "A", "name": "A", "rows": [{"row": "1", "seats": 1}]}]}
    assert_error(await client.post("/v1/venues", json=venue, headers=CHECKOUT), 403, "forbidden")


async def test_unknown_things_are_404(client: httpx.AsyncClient) -> None:
    body = {"customer_id": "c1", "seat_ids": ["A-1-1"]}
    assert_error(
        await client.post(f"/v1/shows/{uuid4()}/holds", json=body, headers=CHECKOUT), 404, "show_not_found"
    )
    best = {"customer_id": "c1", "zone_id": "A", "quantity": 2}
    assert_error(
        await client.post(f"/v1/shows/{uuid4()}/holds", json=best, headers=CHECKOUT), 404, "show_not_found"
    )
    placed = await client.post(
        "/v1/orders", json={"hold_id": str(uuid4()), "customer_id": "c1"}, headers=CHECKOUT
    )
    assert_error(placed, 404, "hold_not_found")
    assert_error(
        await client.delete(f"/v1/holds/{uuid4()}", headers=as_customer("c1")), 404, "hold_not_found"
    )
    pay = {"payment_ref": "p", "amount_cents": 1}
    paid = await client.post(f"/v1/orders/{uuid4()}/payment", json=pay, headers=as_customer("c1"))
    assert_error(paid, 404, "order_not_found")
    assert_error(await client.post(f"/v1/orders/{uuid4()}/cancel", headers=OPERATOR), 404, "order_not_found")
    show = {"venue_id": str(uuid4()), "title": "t", "starts_at": "2030-01-01T00:00:00Z", "prices": {"A": 1}}
    assert_error(await client.post("/v1/shows", json=show, headers=OPERATOR), 404, "venue_not_found")
    assert_error(await client.get("/v1/nothing-here"), 404, "not_found")


async def test_bad_hold_requests_are_422(client: httpx.AsyncClient) -> None:
    show_id = await new_show(client)
    url = f"/v1/shows/{show_id}/holds"
    cases = [
        ({"customer_id": "c1", "seat_ids": ["A-1-1", "Q-1-1"]}, "unknown_seats"),
        ({"customer_id": "c1", "seat_ids": ["A-1-1", "A-1-1"]}, "duplicate_seats"),
        ({"customer_id": "c1", "seat_ids": []}, "seat_count_out_of_range"),
        (
            {"customer_id": "c1", "seat_ids": [f"A-1-{n}" for n in range(1, 11)] * 3},
            "seat_count_out_of_range",
        ),
        ({"customer_id": "c1", "zone_id": "A", "quantity": 0}, "quantity_out_of_range"),
        ({"customer_id": "c1", "zone_id": "A", "quantity": 11}, "quantity_out_of_range"),
        ({"customer_id": "c1", "zone_id": "Z", "quantity": 1}, "unknown_zone"),
        ({"customer_id": "c1", "seat_ids": ["A-1-1"], "ttl_seconds": 3601}, "ttl_out_of_range"),
        ({"customer_id": "c1", "seat_ids": ["A-1-1"], "ttl_seconds": 0}, "ttl_out_of_range"),
        ({"customer_id": "c1"}, "invalid_request"),
        ({"seat_ids": ["A-1-1"]}, "invalid_request"),
        ({"customer_id": "c1", "seat_ids": ["A-1-1"], "zone_id": "A", "quantity": 1}, "invalid_request"),
        ({"customer_id": "c1", "zone_id": "A"}, "invalid_request"),
        ({"customer_id": "c1", "seat_ids": "A-1-1"}, "invalid_request"),
        ({"customer_id": "c 1 with spaces", "seat_ids": ["A-1-1"]}, "invalid_request"),
    ]
    for body, code in cases:
        assert_error(await client.post(url, json=body, headers=CHECKOUT), 422, code)
    broken = await client.post(
        url, content=b'{"customer_id": "c1",', headers={**CHECKOUT, "Content-Type": "application/json"}
    )
    assert_error(broken, 422, "malformed_json")
    assert_error(
        await client.post("/v1/shows/not-a-uuid/holds", json=cases[0][0], headers=CHECKOUT),
        422,
        "invalid_request",
    )


async def test_bad_layout_and_show_requests_are_422(client: httpx.AsyncClient) -> None:
    zone = {"zone_id": "A", "name": "A", "rows": [{"row": "1", "seats": 2}]}
    duplicate_zones = {"name": "v", "zones": [zone, zone]}
    assert_error(
        await client.post("/v1/venues", json=duplicate_zones, headers=OPERATOR), 422, "duplicate_zones"
    )
    too_many = {"name": "v", "zones": [{"zone_id": "A", "name": "A", "rows": [{"row": "1", "seats": 1001}]}]}
    assert_error(await client.post("/v1/venues", json=too_many, headers=OPERATOR), 422, "invalid_request")
    venue = (await client.post("/v1/venues", json={"name": "v", "zones": [zone]}, headers=OPERATOR)).json()
    show = {
        "venue_id": venue["venue_id"],
        "title": "t",
        "starts_at": "2030-01-01T00:00:00Z",
        "prices": {"B": 1},
    }
    assert_error(await client.post("/v1/shows", json=show, headers=OPERATOR), 422, "prices_mismatch")
    naive = {**show, "prices": {"A": 1}, "starts_at": "2030-01-01T00:00:00"}
    assert_error(await client.post("/v1/shows", json=naive, headers=OPERATOR), 422, "invalid_request")
    huge = {**show, "prices": {"A": 10**20}}
    assert_error(await client.post("/v1/shows", json=huge, headers=OPERATOR), 422, "invalid_request")
    nul = {**show, "prices": {"A": 1}, "title": "bad\u0000title"}
    assert_error(await client.post("/v1/shows", json=nul, headers=OPERATOR), 422, "invalid_request")


async def test_hold_conflicts_and_ownership(client: httpx.AsyncClient) -> None:
    show_id = await new_show(client)
    first = await hold_id(client, show_id, "c1", ["A-1-1", "A-1-2"])
    taken = await post_hold(client, show_id, {"customer_id": "c2", "seat_ids": ["A-1-2", "A-1-3"]})
    assert assert_error(taken, 409, "seats_unavailable")["seat_ids"] == ["A-1-2"]
    someone_else = await post_order(client, first, "c2")
    assert_error(someone_else, 403, "not_your_hold")
    assert_error(await client.delete(f"/v1/holds/{first}", headers=as_customer("c2")), 403, "not_your_hold")
    assert_error(await client.delete(f"/v1/holds/{first}", headers=CHECKOUT), 422, "customer_id_required")
    released = await client.delete(f"/v1/holds/{first}", headers=as_customer("c1"))
    assert released.status_code == 200
    assert released.json()["status"] == "released"
    again = await post_order(client, first, "c1")
    assert_error(again, 409, "hold_not_live")
    used = await hold_id(client, show_id, "c1", ["A-2-1"])
    await place_order(client, used, "c1")
    twice = await post_order(client, used, "c1")
    assert_error(twice, 409, "hold_already_used")
    short = await hold_id(client, show_id, "c1", ["A-3-1"], ttl_seconds=1)
    await asyncio.sleep(1.2)
    late = await post_order(client, short, "c1")
    assert_error(late, 409, "hold_expired")


async def test_payment_and_cancellation_refusals(client: httpx.AsyncClient) -> None:
    show_id = await new_show(client)
    placed = await place_order(client, await hold_id(client, show_id, "c1", ["A-1-1", "A-1-2"]), "c1")
    url = f"/v1/orders/{placed['order_id']}"
    wrong = await client.post(
        f"{url}/payment", json={"payment_ref": "p", "amount_cents": 1}, headers=as_customer("c1")
    )
    assert assert_error(wrong, 422, "wrong_amount")["expected_cents"] == 2000
    pay = {"payment_ref": "p", "amount_cents": placed["total_cents"]}
    assert_error(
        await client.post(f"{url}/payment", json=pay, headers=as_customer("c2")), 403, "not_your_order"
    )
    assert_error(await client.post(f"{url}/payment", json=pay, headers=CHECKOUT), 422, "customer_id_required")
    missing = await client.post(f"{url}/payment", json={"payment_ref": "p"}, headers=as_customer("c1"))
    assert_error(missing, 422, "invalid_request")
    cancelled = await client.post(f"{url}/cancel", json={"reason": "changed mind"}, headers=as_customer("c1"))
    assert cancelled.status_code == 200
    assert cancelled.json()["refunded_cents"] == 0
    assert_error(
        await client.post(f"{url}/payment", json=pay, headers=as_customer("c1")), 409, "order_not_payable"
    )
    assert_error(await client.post(f"{url}/cancel", headers=as_customer("c1")), 409, "order_not_cancellable")


async def test_idempotency_key_reuse_with_another_body_is_422(client: httpx.AsyncClient) -> None:
    show_id = await new_show(client)
    key = {**CHECKOUT, "Idempotency-Key": str(uuid4())}
    url = f"/v1/shows/{show_id}/holds"
    first = await client.post(url, json={"customer_id": "c1", "seat_ids": ["A-1-1"]}, headers=key)
    assert first.status_code == 201
    other = await client.post(url, json={"customer_id": "c1", "seat_ids": ["A-1-2"]}, headers=key)
    assert_error(other, 422, "idempotency_key_reused")
    too_long = {**CHECKOUT, "Idempotency-Key": "k" * 201}
    assert_error(
        await client.post(url, json={"customer_id": "c1", "seat_ids": ["A-1-3"]}, headers=too_long),
        422,
        "invalid_request",
    )


async def test_oversized_bodies_are_413(client: httpx.AsyncClient) -> None:
    show_id = await new_show(client)
    huge = b'{"customer_id": "c1", "seat_ids": ["' + b"x" * 300_000 + b'"]}'
    response = await client.post(
        f"/v1/shows/{show_id}/holds", content=huge, headers={**CHECKOUT, "Content-Type": "application/json"}
    )
    assert_error(response, 413, "payload_too_large")

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the limit applies while streaming
        for _ in range(40):
            yield b" " * 10_000

    streamed = await client.post(
        f"/v1/shows/{show_id}/holds",
        content=chunks(),
        headers={**CHECKOUT, "Content-Type": "application/json"},
    )
    assert_error(streamed, 413, "payload_too_large")


async def test_unreachable_database_is_503_with_retry_after(make_client: ClientFactory) -> None:
    async with make_client(
        database_url="postgresql://boxoffice:x@127.0.0.1:1/none", db_connect_timeout_seconds=1
    ) as down:
        body = {"customer_id": "c1", "seat_ids": ["A-1-1"]}
        response = await down.post(f"/v1/shows/{uuid4()}/holds", json=body, headers=CHECKOUT)
        assert_error(response, 503, "database_unavailable")
        assert response.headers["Retry-After"]
        ready = await down.get("/readyz")
        assert ready.status_code == 503
        assert ready.headers["Retry-After"]
        assert (await down.get("/healthz")).status_code == 200


async def test_operations_endpoints(client: httpx.AsyncClient) -> None:
    assert (await client.get("/readyz")).json() == {"status": "ready"}
    await client.get("/healthz")
    metrics = await client.get("/metrics")
    assert 'route="/healthz"' in metrics.text
    assert "boxoffice_command_request_seconds_bucket" in metrics.text
    assert (await client.get("/docs")).status_code == 200
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert {
        "/v1/venues",
        "/v1/shows",
        "/v1/shows/{show_id}/holds",
        "/v1/holds/{hold_id}",
        "/v1/orders",
    } <= set(paths)
