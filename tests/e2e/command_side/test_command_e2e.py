"""A checkout over HTTP against the real processes; the events reach Kafka in order."""

import httpx
import pytest

from contracts import decode_event
from tests.e2e.command_side.cmd_e2e_support import CommandProcesses
from tests.support.kafka import topic_events

pytestmark = pytest.mark.e2e
OPERATOR = {"Authorization": "Bearer e2e-operator-key"}
CHECKOUT = {"Authorization": "Bearer e2e-checkout-key"}


async def test_checkout_over_http(command_processes: CommandProcesses) -> None:
    async with httpx.AsyncClient(base_url=command_processes.base_url, timeout=10) as http:
        zones = [
            {"zone_id": "A", "name": "Stalls", "rows": [{"row": "1", "seats": 8}, {"row": "2", "seats": 8}]}
        ]
        venue = await http.post("/v1/venues", json={"name": "Hall", "zones": zones}, headers=OPERATOR)
        assert venue.status_code == 201
        assert venue.json()["seat_count"] == 16
        show = await http.post(
            "/v1/shows",
            json={
                "venue_id": venue.json()["venue_id"],
                "title": "Opening night",
                "starts_at": "2030-05-01T19:30:00+02:00",
                "prices": {"A": 4500},
            },
            headers=OPERATOR,
        )
        show_id = show.json()["show_id"]
        hold = await http.post(
            f"/v1/shows/{show_id}/holds",
            json={"customer_id": "ann", "zone_id": "A", "quantity": 2},
            headers={**CHECKOUT, "Idempotency-Key": "e2e-hold-1"},
        )
        assert hold.status_code == 201
        assert hold.json()["seat_ids"] == ["A-1-4", "A-1-5"]
        assert hold.headers["X-Consistency-Token"] == hold.json()["consistency_token"]
        order = await http.post(
            "/v1/orders", json={"hold_id": hold.json()["hold_id"], "customer_id": "ann"}, headers=CHECKOUT
        )
        assert order.status_code == 201
        assert order.json()["total_cents"] == 9000
        order_id = order.json()["order_id"]
        ann = {**CHECKOUT, "X-Customer-Id": "ann"}
        paid = await http.post(
            f"/v1/orders/{order_id}/payment", json={"payment_ref": "psp-9", "amount_cents": 9000}, headers=ann
        )
        assert paid.status_code == 200
        assert paid.json()["status"] == "paid"
        cancelled = await http.post(f"/v1/orders/{order_id}/cancel", json={"reason": "ill"}, headers=ann)
        assert cancelled.json()["refunded_cents"] == 9000
        assert cancelled.json()["consistency_token"].endswith(".5")
        assert (await http.get("/docs")).status_code == 200
        metrics = await http.get("/metrics")
        assert 'route="/v1/orders/{order_id}/payment"' in metrics.text

    published = await topic_events(
        command_processes.kafka_bootstrap, command_processes.topic, show_id, at_least=5
    )
    types = [decode_event(raw).envelope.type for raw in published]
    assert types == ["ShowScheduled", "SeatsHeld", "OrderPlaced", "OrderPaid", "OrderCancelled"]
