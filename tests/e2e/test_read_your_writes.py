"""Over HTTP with every process running: each command's token makes the next read reflect it."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.e2e.stack import Stack

pytestmark = pytest.mark.e2e

OPERATOR = {"Authorization": "Bearer e2e-operator-key"}
CHECKOUT = {"Authorization": "Bearer e2e-checkout-key"}
VIEWER = {"Authorization": "Bearer e2e-viewer-key"}


def command(stack: Stack, path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    response = httpx.post(f"{stack.command_url}{path}", json=body, headers=headers, timeout=10)
    assert response.status_code in (200, 201), response.text
    answer: dict[str, Any] = response.json()
    assert response.headers["x-consistency-token"] == answer["consistency_token"]
    return answer


def read(
    stack: Stack, path: str, token: str | None = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    params: dict[str, str | int] = {"consistency_token": token, "wait_ms": 5000} if token else {}
    return httpx.get(f"{stack.query_url}{path}", params=params, headers=headers or {}, timeout=10)


def seats_of(stack: Stack, show_id: str, token: str | None = None) -> dict[str, str]:
    response = read(stack, f"/v1/shows/{show_id}/seats", token)
    assert response.status_code == 200, response.text
    return {s["seat_id"]: s["status"] for s in response.json()["seats"]}


def show_row(stack: Stack, show_id: str, token: str) -> dict[str, Any]:
    response = read(stack, "/v1/dashboard", token, VIEWER)
    assert response.status_code == 200, response.text
    return next(s for s in response.json()["by_show"] if s["show_id"] == show_id)


def new_show(stack: Stack) -> tuple[str, str]:
    venue = command(
        stack,
        "/v1/venues",
        {
            "name": f"Hall {uuid4().hex[:6]}",
            "zones": [
                {
                    "zone_id": "A",
                    "name": "Stalls",
                    "rows": [{"row": "1", "seats": 5}, {"row": "2", "seats": 5}],
                },
                {"zone_id": "B", "name": "Balcony", "rows": [{"row": "1", "seats": 4}]},
            ],
        },
        OPERATOR,
    )
    starts_at = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    show = command(
        stack,
        "/v1/shows",
        {
            "venue_id": venue["venue_id"],
            "title": "e2e",
            "starts_at": starts_at,
            "prices": {"A": 5000, "B": 2500},
        },
        OPERATOR,
    )
    return show["show_id"], show["consistency_token"]


def test_hold_order_pay_cancel_each_read_with_its_token(stack: Stack) -> None:
    show_id, token = new_show(stack)
    availability = read(stack, f"/v1/shows/{show_id}/availability", token)
    assert availability.status_code == 200, availability.text
    assert [(z["zone_id"], z["available"]) for z in availability.json()["zones"]] == [("A", 10), ("B", 4)]

    customer = f"cust-{uuid4().hex[:8]}"
    hold = command(
        stack,
        f"/v1/shows/{show_id}/holds",
        {"customer_id": customer, "seat_ids": ["A-1-1", "A-1-2"]},
        CHECKOUT,
    )
    seats = seats_of(stack, show_id, hold["consistency_token"])
    assert (seats["A-1-1"], seats["A-1-2"], seats["A-1-3"]) == ("held", "held", "available")

    order = command(
        stack,
        "/v1/orders",
        {"hold_id": hold["hold_id"], "customer_id": customer, "referrer_id": "e2e-aff"},
        CHECKOUT,
    )
    row = show_row(stack, show_id, order["consistency_token"])
    assert (row["held"], row["sold"]) == (2, 0)

    paid = command(
        stack,
        f"/v1/orders/{order['order_id']}/payment",
        {"payment_ref": "pay-1", "amount_cents": order["total_cents"]},
        {**CHECKOUT, "X-Customer-Id": customer},
    )
    assert seats_of(stack, show_id, paid["consistency_token"])["A-1-1"] == "sold"
    row = show_row(stack, show_id, paid["consistency_token"])
    assert (row["sold"], row["held"], row["revenue_cents"]) == (2, 0, 10000)
    zone_a = read(stack, f"/v1/shows/{show_id}/availability", paid["consistency_token"]).json()["zones"][0]
    assert (zone_a["sold"], zone_a["held"], zone_a["available"]) == (2, 0, 8)

    cancelled = command(
        stack,
        f"/v1/orders/{order['order_id']}/cancel",
        {"reason": "e2e"},
        {**CHECKOUT, "X-Customer-Id": customer},
    )
    assert cancelled["refunded_cents"] == 10000
    assert set(seats_of(stack, show_id, cancelled["consistency_token"]).values()) == {"available"}
    row = show_row(stack, show_id, cancelled["consistency_token"])
    assert (row["sold"], row["revenue_cents"]) == (0, 0)


def test_without_a_token_the_read_converges(stack: Stack) -> None:
    show_id, _ = new_show(stack)
    hold = command(
        stack,
        f"/v1/shows/{show_id}/holds",
        {"customer_id": "c-conv", "zone_id": "B", "quantity": 3},
        CHECKOUT,
    )
    deadline = time.monotonic() + 30
    held = 0
    while time.monotonic() < deadline:
        response = read(stack, f"/v1/shows/{show_id}/availability")
        if response.status_code == 200:
            held = response.json()["zones"][1]["held"]
            if held == 3:
                break
        time.sleep(0.1)
    assert held == 3
    assert len(hold["seat_ids"]) == 3


def test_etag_304_until_the_seat_map_changes(stack: Stack) -> None:
    show_id, token = new_show(stack)
    first = read(stack, f"/v1/shows/{show_id}/seats", token)
    etag = first.headers["etag"]
    unchanged = httpx.get(f"{stack.query_url}/v1/shows/{show_id}/seats", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    hold = command(
        stack, f"/v1/shows/{show_id}/holds", {"customer_id": "c-etag", "seat_ids": ["B-1-1"]}, CHECKOUT
    )
    changed = httpx.get(
        f"{stack.query_url}/v1/shows/{show_id}/seats",
        params={"consistency_token": hold["consistency_token"]},
        headers={"If-None-Match": etag},
    )
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


def test_dashboard_roles(stack: Stack) -> None:
    assert read(stack, "/v1/dashboard").status_code == 401
    assert read(stack, "/v1/dashboard", headers=CHECKOUT).status_code == 403
    assert read(stack, "/v1/dashboard", headers=VIEWER).status_code == 200
    assert read(stack, "/v1/projections", headers=VIEWER).status_code == 403
    status = read(stack, "/v1/projections", headers=OPERATOR).json()["projections"]
    assert {p["state"] for p in status} == {"live"}
    assert len(status) == 2


def test_stopped_projector_gets_503_within_the_wait_then_catches_up(stack: Stack) -> None:
    show_id, token = new_show(stack)
    assert read(stack, "/v1/dashboard", token, VIEWER).status_code == 200
    projector = stack.processes["projector-dashboard"]
    projector.stop()
    try:
        hold = command(
            stack, f"/v1/shows/{show_id}/holds", {"customer_id": "c-503", "seat_ids": ["A-2-1"]}, CHECKOUT
        )
        behind = httpx.get(
            f"{stack.query_url}/v1/dashboard",
            params={"consistency_token": hold["consistency_token"], "wait_ms": 300},
            headers=VIEWER,
            timeout=10,
        )
        assert behind.status_code == 503
        assert behind.json()["error"]["code"] == "projection_behind"
        assert behind.headers["retry-after"]
        # The seat map has its own projector, still running: it reflects the hold.
        assert seats_of(stack, show_id, hold["consistency_token"])["A-2-1"] == "held"
    finally:
        projector.start()
    assert show_row(stack, show_id, hold["consistency_token"])["held"] == 1
