"""Roles: public reads, viewer/operator dashboard, operator projection status."""

import httpx
import pytest

from tests.integration.query_api.seed import SeededSchema

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
    show_id = seeded.add_show()
    for path in ("/v1/shows", f"/v1/shows/{show_id}/availability", f"/v1/shows/{show_id}/seats"):
        assert (await client.get(path)).status_code == 200


async def test_dashboard_shape(client: httpx.AsyncClient, seeded: SeededSchema) -> None:
    show_id = seeded.add_show()
    seeded.execute("INSERT INTO {r}.dashboard_totals VALUES (1, 2, 0, 0, 3, 15000, 0, 1, 2)")
    seeded.execute(
        "UPDATE {r}.dashboard_by_show SET sold = 3, revenue_cents = 15000 WHERE show_id = %s", (show_id,)
    )
    seeded.execute("INSERT INTO {r}.dashboard_by_referrer VALUES ('aff-1', 1, 2, 10000)")
    seeded.execute("INSERT INTO {r}.dashboard_sales_by_day VALUES ('2026-11-01', 2, 3, 15000)")
    body = (await client.get("/v1/dashboard", headers=bearer("test-viewer-key"))).json()
    assert body["totals"]["revenue_cents"] == 15000
    assert body["totals"]["held_seats"] == 2
    assert body["by_show"][0]["occupancy_pct"] == 37.5
    assert body["by_referrer"] == [
        {"referrer_id": "aff-1", "orders_paid": 1, "tickets_sold": 2, "revenue_cents": 10000}
    ]
    assert body["sales_by_day"][0]["day"] == "2026-11-01"
    assert set(body) == {"totals", "sales_by_day", "by_show", "by_zone", "by_referrer"}
