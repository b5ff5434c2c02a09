"""Roles: public reads, viewer/operator dashboard, operator projection status."""

from datetime import UTC, datetime

import httpx
import pytest

from tests.integration.query_api.seed import CAPACITY, PRICES, SeededSchema

pytestmark = pytest.mark.integration


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize(
    ("path", "headers", "status", "code"),
    [
        ("/v1/dashboard", {}, 401, "unauthorized"),
        ("/v1/dashboard", bearer("not-a-known-key"), 401, "unauthorized"),
        ("/v1/dashboard", {"Authorization": "Basic dGVzdA=="}, 401, "unauthorized"),
        ("/v1/dashboard", bearer("test-checkout-key"), 403, "forbidden"),
        ("/v1/projections", {}, 401, "unauthorized"),
        ("/v1/projections", bearer("test-viewer-key"), 403, "forbidden"),
        ("/v1/projections", bearer("test-checkout-key"), 403, "forbidden"),
    ],
)
async def test_refused(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], status: int, code: str
) -> None:
    response = await client.get(path, headers=headers)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/v1/dashboard", "test-viewer-key"),
        ("/v1/dashboard", "test-operator-key"),
        ("/v1/projections", "test-operator-key"),
    ],
)
async def test_admitted(client: httpx.AsyncClient, path: str, key: str) -> None:
    assert (await client.get(path, headers=bearer(key))).status_code == 200


async def test_public_reads_need_no_key(client: httpx.AsyncClient, seeded: SeededSchema) -> None:
    show_id = await seeded.add_show()
    for path in ("/v1/shows", f"/v1/shows/{show_id}/availability", f"/v1/shows/{show_id}/seats"):
        assert (await client.get(path)).status_code == 200


async def test_dashboard_shape(client: httpx.AsyncClient, seeded: SeededSchema) -> None:
    show_id = await seeded.add_show()
    day = datetime(2026, 11, 1, 18, 0, tzinfo=UTC)
    await seeded.sell(show_id, "A-1-1", "A-1-2", referrer="aff-1", paid_at=day)  # 2 x zone A
    await seeded.sell(show_id, "B-1-1", paid_at=day)  # 1 x zone B, no referrer
    await seeded.order(show_id, await seeded.hold(show_id, "A-2-1"))  # pending: its seat stays held
    await seeded.hold(show_id, "A-2-2", "A-2-3")  # a live hold
    body = (await client.get("/v1/dashboard", headers=bearer("test-viewer-key"))).json()
    revenue = 2 * PRICES["A"] + PRICES["B"]
    assert body["totals"] == {
        "orders_pending": 1,
        "orders_paid": 2,
        "orders_cancelled": 0,
        "orders_expired": 0,
        "tickets_sold": 3,
        "revenue_cents": revenue,
        "refunded_cents": 0,
        "live_holds": 1,
        "held_seats": 3,
        "filtered_by": [],
    }
    assert body["filter"] == {"from": None, "to": None, "show_id": None}
    assert len(body["by_show"]) == 1
    assert body["by_show"][0]["show_id"] == str(show_id)
    assert {k: body["by_show"][0][k] for k in ("title", "capacity", "sold", "held", "revenue_cents")} == {
        "title": "Hamlet",
        "capacity": CAPACITY,
        "sold": 3,
        "held": 3,  # the pending order's seat and the live hold's two
        "revenue_cents": revenue,
    }
    assert body["by_show"][0]["occupancy_pct"] == 100 * 3 / CAPACITY == 37.5
    assert [(z["zone_id"], z["capacity"], z["sold"], z["revenue_cents"]) for z in body["by_zone"]] == [
        ("A", 6, 2, 2 * PRICES["A"]),
        ("B", 2, 1, PRICES["B"]),
    ]
    assert body["by_referrer"] == [
        {"referrer_id": "aff-1", "orders_paid": 1, "tickets_sold": 2, "revenue_cents": 2 * PRICES["A"]}
    ]
    assert body["sales_by_day"] == [
        {"day": "2026-11-01", "orders_paid": 2, "tickets_sold": 3, "revenue_cents": revenue}
    ]
    assert set(body) == {"filter", "totals", "sales_by_day", "by_show", "by_zone", "by_referrer"}
