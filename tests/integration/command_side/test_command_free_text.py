"""Legal text never depends on what it contains: every free-text field of every command, through the API.

Each field is drawn by hypothesis (including the digits of the append's seq
placeholder and JSON look-alikes); every command must answer 2xx or a
documented 4xx, the outbox bytes must decode to exactly the text sent, and a
retry under the same Idempotency-Key must return the stored answer byte for byte.
"""

from typing import Any
from uuid import uuid4

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from command_side.adapters.outbox import PLACEHOLDER_SEQ
from command_side.settings import CommandSettings
from contracts import OrderCancelled, OrderPlaced, SeatsHeld, ShowScheduled, decode_event
from tests.integration.command_side.cmd_support import CHECKOUT, OPERATOR, as_customer, fetch_one, outbox

pytestmark = pytest.mark.integration

DOCUMENTED_REFUSALS = {409, 422}
PLACEHOLDER = str(PLACEHOLDER_SEQ)
TRAPS = st.sampled_from([PLACEHOLDER, PLACEHOLDER * 2, f',"seq":{PLACEHOLDER},', f'"}}{PLACEHOLDER}"}}'])


def free_text(max_size: int) -> st.SearchStrategy[str]:
    """Any text the schema allows (no NUL), the placeholder's digits among it now and then."""
    plain = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=max_size)
    return st.one_of(plain, TRAPS, st.builds(lambda a, b: a + PLACEHOLDER + b, plain, plain)).map(
        lambda t: t[:max_size]
    )


LAYOUT_ID = st.one_of(st.from_regex(r"[A-Za-z0-9_]{1,16}", fullmatch=True), st.just(PLACEHOLDER[:16]))
CUSTOMER_ID = st.one_of(st.from_regex(r"[A-Za-z0-9_.:@-]{1,100}", fullmatch=True), st.just(PLACEHOLDER))


async def post(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    """POST under a fresh Idempotency-Key; a success is replayed and must come back byte for byte."""
    keyed = {**headers, "Idempotency-Key": f"k-{uuid4()}"}
    response = await client.post(path, json=body, headers=keyed)
    assert response.status_code < 300 or response.status_code in DOCUMENTED_REFUSALS, response.text
    assert response.headers["content-type"].startswith("application/json")
    if response.status_code < 300:
        again = await client.post(path, json=body, headers=keyed)
        assert (again.status_code, again.content) == (response.status_code, response.content)
    return response


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    venue_name=free_text(200),
    zone_name=free_text(200),
    zone_id=LAYOUT_ID,
    row=LAYOUT_ID,
    title=free_text(300),
    customer_id=CUSTOMER_ID,
    referrer_id=free_text(100),
    payment_ref=free_text(200),
    reason=free_text(500),
)
@example(
    venue_name=PLACEHOLDER,
    zone_name=PLACEHOLDER,
    zone_id="A",
    row="1",
    title=f"Gala {PLACEHOLDER}",
    customer_id=PLACEHOLDER,
    referrer_id=PLACEHOLDER,
    payment_ref=PLACEHOLDER,
    reason=PLACEHOLDER,
)
async def test_every_free_text_field_round_trips_through_the_api_and_the_outbox(
    client: httpx.AsyncClient,
    command_settings: CommandSettings,
    *,
    venue_name: str,
    zone_name: str,
    zone_id: str,
    row: str,
    title: str,
    customer_id: str,
    referrer_id: str,
    payment_ref: str,
    reason: str,
) -> None:
    layout = [{"zone_id": zone_id, "name": zone_name, "rows": [{"row": row, "seats": 2}]}]
    venue = await post(client, "/v1/venues", {"name": venue_name, "zones": layout}, OPERATOR)
    assert venue.status_code == 201, venue.text
    show = await post(
        client,
        "/v1/shows",
        {
            "venue_id": venue.json()["venue_id"],
            "title": title,
            "starts_at": "2030-01-01T20:00:00+02:00",
            "prices": {zone_id: 1500},
        },
        OPERATOR,
    )
    assert show.status_code == 201, show.text
    show_id = show.json()["show_id"]
    seat = f"{zone_id}-{row}-1"
    held = await post(
        client, f"/v1/shows/{show_id}/holds", {"customer_id": customer_id, "seat_ids": [seat]}, CHECKOUT
    )
    assert held.status_code == 201, held.text
    placed = await post(
        client,
        "/v1/orders",
        {"hold_id": held.json()["hold_id"], "customer_id": customer_id, "referrer_id": referrer_id},
        CHECKOUT,
    )
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    paid = await post(
        client,
        f"/v1/orders/{order_id}/payment",
        {"payment_ref": payment_ref, "amount_cents": 1500},
        as_customer(customer_id),
    )
    assert paid.status_code == 200, paid.text
    cancelled = await post(
        client, f"/v1/orders/{order_id}/cancel", {"reason": reason}, as_customer(customer_id)
    )
    assert cancelled.status_code == 200, cancelled.text

    rows = await outbox(command_settings.database_url, show_id)
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    events = {e.envelope.type: e for e in (decode_event(r.body) for r in rows)}
    assert [e.envelope.seq for e in events.values()] == [r.seq for r in rows]
    scheduled = events["ShowScheduled"].payload
    assert isinstance(scheduled, ShowScheduled)
    assert (scheduled.venue_name, scheduled.title) == (venue_name, title)
    assert (scheduled.zones[0].zone_id, scheduled.zones[0].name, scheduled.zones[0].rows[0].row) == (
        zone_id,
        zone_name,
        row,
    )
    seats_held = events["SeatsHeld"].payload
    assert isinstance(seats_held, SeatsHeld)
    assert (seats_held.customer_id, seats_held.seat_ids) == (customer_id, (seat,))
    order_placed = events["OrderPlaced"].payload
    assert isinstance(order_placed, OrderPlaced)
    assert (order_placed.customer_id, order_placed.referrer_id) == (customer_id, referrer_id)
    refund = events["OrderCancelled"].payload
    assert isinstance(refund, OrderCancelled)
    assert (refund.reason, refund.referrer_id, refund.refunded_cents) == (reason, referrer_id, 1500)
    stored = await fetch_one(
        command_settings.database_url,
        "SELECT payment_ref FROM write_model.orders WHERE order_id = %s",
        order_id,
    )
    assert stored == (payment_ref,)
    for answer in (held, placed, paid, cancelled):
        token = answer.json()["consistency_token"]
        assert answer.headers["X-Consistency-Token"] == token
        assert token.startswith(f"ct1.{show_id}.")
        assert 1 < int(token.rsplit(".", 1)[1]) <= len(rows)
