"""Edge values that reach past validation: NUL bytes in free text, integers beyond 64 bits.
Each must be refused with a 4xx in the error shape, never a database error turned into a 500.
"""

from typing import Any

import httpx
import pytest

from tests.security.conftest import Apis
from tests.security.test_security_hostile_input import refused

pytestmark = pytest.mark.integration
NUL = "a\u0000b"


@pytest.fixture(scope="module")
def order(apis: Apis, client: httpx.Client) -> dict[str, str]:
    venue_id, show_id = apis.new_show(client, "edge", seats=5, price_cents=1000)
    hold = apis.hold(client, show_id, "alice", "A-1-1")
    made = apis.order(client, hold["hold_id"], "alice")
    return {"venue_id": venue_id, "show_id": show_id, "order_id": made["order_id"]}


def request(
    apis: Apis, client: httpx.Client, order: dict[str, str], field: str, value: Any
) -> httpx.Response:
    if field == "payment_ref":
        return apis.post_payment(client, order["order_id"], value, 1000)
    if field == "amount_cents":
        return apis.post_payment(client, order["order_id"], "r", value)
    if field == "venue_name":
        return apis.post_venue(client, value, 1)
    if field == "title":
        return apis.post_show(client, order["venue_id"], 1, title=value)
    if field == "price":
        return apis.post_show(client, order["venue_id"], value)
    return apis.post_hold(client, order["show_id"], {"customer_id": "c", "seat_ids": [value]})


@pytest.mark.parametrize("field", ["payment_ref", "venue_name", "title", "seat_id"])
def test_nul_bytes_in_free_text_are_refused(
    apis: Apis, client: httpx.Client, order: dict[str, str], field: str
) -> None:
    refused(request(apis, client, order, field, NUL))


@pytest.mark.parametrize(
    ("field", "value"),
    [("amount_cents", 10**40), ("amount_cents", -(10**40)), ("price", 2**63), ("price", 10**40)],
)
def test_integers_beyond_64_bits_are_refused(
    apis: Apis, client: httpx.Client, order: dict[str, str], field: str, value: int
) -> None:
    refused(request(apis, client, order, field, value))


@pytest.mark.parametrize("body", [b"\xff\xfe\x00", b'{"name": "\xc3\x28"}'])
def test_bodies_that_are_not_utf8_get_a_documented_status(
    apis: Apis, client: httpx.Client, body: bytes
) -> None:
    response = apis.post_venue_bytes(client, body)
    error = refused(response)
    documented = client.get(f"{apis.command_url}/openapi.json").json()["paths"]["/v1/venues"]["post"]
    assert str(response.status_code) in documented["responses"], f"{response.status_code} is not documented"
    assert error["code"] == "malformed_json"
