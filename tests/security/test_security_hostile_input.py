"""Hostile input to both APIs: injection in ids and parameters, huge and deep bodies, broken
encodings, NUL bytes, negative and huge numbers. Each gets a 4xx in the error shape, never a 5xx
or a stack trace, and the data stays intact.
"""

from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.security.conftest import Apis
from tests.support.database import query

pytestmark = pytest.mark.integration
INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE write_model.holds; --",
    "$(reboot)",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "%00",
    "%E2%80%AE%C0%80",
]


@pytest.fixture(scope="module")
def show(apis: Apis, client: httpx.Client) -> dict[str, str]:
    venue_id, show_id = apis.new_show(client, "hostile", seats=5, price_cents=1000)
    hold = apis.hold(client, show_id, "alice", "A-1-1")
    order = apis.order(client, hold["hold_id"], "alice")
    return {
        "show_id": show_id,
        "venue_id": venue_id,
        "order_id": order["order_id"],
        "hold_id": hold["hold_id"],
    }


def refused(response: httpx.Response) -> dict[str, Any]:
    """A 4xx in the error shape with no trace of a stack; returns the error."""
    assert 400 <= response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"], body
    assert body["error"]["message"], body
    return dict(body["error"])


@pytest.mark.parametrize("attempt", INJECTIONS)
def test_injection_in_path_ids_is_refused(apis: Apis, client: httpx.Client, attempt: str) -> None:
    auth = apis.auth("checkout")
    refused(client.delete(f"{apis.command_url}/v1/holds/{attempt}", headers=auth))
    refused(
        client.post(
            f"{apis.command_url}/v1/orders/{attempt}/payment",
            headers=auth,
            json={"payment_ref": "r", "amount_cents": 1},
        )
    )
    refused(
        client.post(
            f"{apis.command_url}/v1/shows/{attempt}/holds",
            headers=auth,
            json={"customer_id": "c", "zone_id": "A", "quantity": 1},
        )
    )
    refused(client.get(f"{apis.query_url}/v1/shows/{attempt}/availability"))


@pytest.mark.parametrize("attempt", INJECTIONS)
def test_injection_in_query_parameters_and_body_ids_is_refused(
    apis: Apis, client: httpx.Client, show: dict[str, str], attempt: str
) -> None:
    sid = show["show_id"]
    refused(client.get(f"{apis.query_url}/v1/shows/{sid}/seats", params={"zone_id": attempt[:16]}))
    refused(client.get(f"{apis.query_url}/v1/shows/{sid}/seats", params={"format": attempt}))
    refused(client.get(f"{apis.query_url}/v1/shows", params={"consistency_token": attempt}))
    refused(client.get(f"{apis.query_url}/v1/shows", params={"wait_ms": attempt}))
    refused(
        client.get(
            f"{apis.query_url}/v1/dashboard", headers={**apis.auth("viewer"), "X-Consistency-Token": attempt}
        )
    )
    checkout = apis.auth("checkout")
    refused(
        client.post(
            f"{apis.command_url}/v1/shows/{sid}/holds",
            headers=checkout,
            json={"customer_id": attempt, "seat_ids": ["A-1-2"]},
        )
    )
    refused(
        client.post(
            f"{apis.command_url}/v1/shows/{sid}/holds",
            headers=checkout,
            json={"customer_id": "c", "seat_ids": [attempt]},
        )
    )
    refused(
        client.post(
            f"{apis.command_url}/v1/shows/{sid}/holds",
            headers=checkout,
            json={"customer_id": "c", "zone_id": attempt, "quantity": 1},
        )
    )
    refused(
        client.post(
            f"{apis.command_url}/v1/orders/{show['order_id']}/cancel",
            headers={**checkout, "X-Customer-Id": attempt},
        )
    )
    assert query(apis.database_url, "SELECT count(*) FROM write_model.holds")[0][0] >= 1  # nothing dropped


def test_free_text_is_stored_literally_not_executed(apis: Apis, client: httpx.Client) -> None:
    name = "'); DROP TABLE write_model.venues; --"
    made = client.post(
        f"{apis.command_url}/v1/venues",
        headers=apis.auth("operator"),
        json={"name": name, "zones": [{"zone_id": "A", "name": name, "rows": [{"row": "1", "seats": 1}]}]},
    )
    assert made.status_code == 201, made.text
    stored = query(
        apis.database_url,
        "SELECT name FROM write_model.venues WHERE venue_id = %s",
        (made.json()["venue_id"],),
    )
    assert stored == [(name,)]


def test_nul_bytes_in_ids_are_refused(apis: Apis, client: httpx.Client, show: dict[str, str]) -> None:
    ck = {**apis.auth("checkout")}
    refused(
        client.post(
            f"{apis.command_url}/v1/orders",
            headers=ck,
            json={"hold_id": str(uuid4()), "customer_id": "c\u0000", "referrer_id": "r"},
        )
    )
    refused(client.get(f"{apis.query_url}/v1/shows/{show['show_id']}/seats", params={"zone_id": "A\u0000"}))
    refused(client.get(f"{apis.query_url}/v1/shows", params={"consistency_token": "ct1.\u0000.1"}))


def test_huge_bodies_are_refused(apis: Apis, client: httpx.Client) -> None:
    huge = b'{"name": "' + b"x" * 2_000_000 + b'", "zones": []}'
    headers = {**apis.auth("operator"), "Content-Type": "application/json"}
    assert refused(apis.post_venue_bytes(client, huge))
    streamed = client.post(
        f"{apis.command_url}/v1/venues",
        headers=headers,
        content=iter([huge[i : i + 65536] for i in range(0, len(huge), 65536)]),
    )  # chunked, no Content-Length
    assert refused(streamed)
    many = {
        "name": "v",
        "zones": [
            {"zone_id": f"Z{i}", "name": "z", "rows": [{"row": "1", "seats": 1000}] * 1000} for i in range(3)
        ],
    }
    refused(client.post(f"{apis.command_url}/v1/venues", headers=apis.auth("operator"), json=many))


@pytest.mark.parametrize("depth", [100, 10_000, 100_000])
def test_deeply_nested_json_is_refused(apis: Apis, client: httpx.Client, depth: int) -> None:
    body = b'{"name": ' + b"[" * depth + b"]" * depth + b', "zones": []}'
    refused(apis.post_venue_bytes(client, body))


@pytest.mark.parametrize(
    "body", [b"\xff\xfe\x00", b'{"name": "\xc3\x28"}', b"", b"null", b"[]", b"NaN", b'{"name": 1e999}']
)
def test_broken_bodies_are_refused(apis: Apis, client: httpx.Client, body: bytes) -> None:
    refused(apis.post_venue_bytes(client, body))


BAD_NUMBERS = {
    "quantity": [-1, 0, 11, 2**63, 10**40, 1.5, "1", None, True],
    "ttl_seconds": [-1, 0, 29, 3601, 2**63, 10**40, 1.5, "60", True],
    "amount_cents": [-1, 0, 999, 2**63, 1.5, "1000", None, True],
    "price": [-1, 1.5, "1", None, True],
    "seats": [-1, 0, 1001, 2**63, 10**40, 1.5, "1", None, True],
    "wait_ms": [-1, 5001, 2**63, 10**40, 1.5, "soon"],
}


def number_request(
    apis: Apis, client: httpx.Client, show: dict[str, str], field: str, value: Any
) -> httpx.Response:
    if field == "quantity":
        return apis.post_hold(
            client, show["show_id"], {"customer_id": "c", "zone_id": "A", "quantity": value}
        )
    if field == "ttl_seconds":
        body = {"customer_id": "c", "seat_ids": ["A-1-5"], "ttl_seconds": value}
        return apis.post_hold(client, show["show_id"], body)
    if field == "amount_cents":
        return apis.post_payment(client, show["order_id"], "r", value)
    if field == "price":
        return apis.post_show(client, show["venue_id"], value)
    if field == "seats":
        return apis.post_venue(client, "v", value)
    return client.get(f"{apis.query_url}/v1/shows", params={"wait_ms": value})


@pytest.mark.parametrize(("field", "value"), [(f, v) for f, values in BAD_NUMBERS.items() for v in values])
def test_negative_huge_and_mistyped_numbers_are_refused(
    apis: Apis, client: httpx.Client, show: dict[str, str], field: str, value: Any
) -> None:
    refused(number_request(apis, client, show, field, value))
