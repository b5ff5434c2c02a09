"""Reads of views seeded through the projections: shapes, ordering, filters, 404s and 422s."""

from uuid import uuid4

import httpx
import pytest

from query_api.seatmap import expand_compact
from tests.integration.query_api.conftest import Settle
from tests.integration.query_api.seed import CAPACITY, LAYOUT, PRICES, SeededSchema

pytestmark = pytest.mark.integration


async def test_shows_lists_the_seeded_show(client: httpx.AsyncClient, seeded: SeededSchema) -> None:
    show_id = await seeded.add_show("Macbeth")
    await seeded.hold(show_id, "A-1-1", "B-1-2")
    await seeded.sell(show_id, "A-2-3")
    response = await client.get("/v1/shows")
    assert response.status_code == 200
    shows = response.json()["shows"]
    assert [s["title"] for s in shows] == ["Macbeth"]
    assert shows[0]["show_id"] == str(show_id)
    assert {k: shows[0][k] for k in ("capacity", "available", "held", "sold")} == {
        "capacity": CAPACITY,
        "available": CAPACITY - 3,
        "held": 2,
        "sold": 1,
    }


async def test_availability_lists_zones_in_layout_order(
    client: httpx.AsyncClient, seeded: SeededSchema, settle: Settle
) -> None:
    show_id = await seeded.add_show()
    body = (await client.get(f"/v1/shows/{show_id}/availability")).json()
    assert body["show_id"] == str(show_id)
    assert body["seq"] == 1  # ShowScheduled
    await seeded.hold(show_id, "B-1-1")
    await seeded.sell(show_id, "A-1-1", "A-2-1")
    await settle()  # without a token, a read reflects the notices the API has received
    body = (await client.get(f"/v1/shows/{show_id}/availability")).json()
    assert body["seq"] == seeded.seq(show_id) == 5  # hold; hold, order, pay
    capacity = {zone: sum(count for _, count in rows) for zone, rows in LAYOUT.items()}
    assert capacity == {"A": 6, "B": 2}
    assert body["zones"] == [
        {
            "zone_id": "A",
            "name": "Zone A",
            "price_cents": PRICES["A"],
            "capacity": capacity["A"],
            "available": capacity["A"] - 2,
            "held": 0,
            "sold": 2,
        },
        {
            "zone_id": "B",
            "name": "Zone B",
            "price_cents": PRICES["B"],
            "capacity": capacity["B"],
            "available": capacity["B"] - 1,
            "held": 1,
            "sold": 0,
        },
    ]


async def test_seat_map_full_and_compact_describe_the_same_seats(
    client: httpx.AsyncClient, seeded: SeededSchema
) -> None:
    show_id = await seeded.add_show()
    await seeded.hold(show_id, "A-1-2")
    await seeded.sell(show_id, "B-1-1")
    full = (await client.get(f"/v1/shows/{show_id}/seats")).json()
    assert full["seats"][0] == {
        "seat_id": "A-1-1",
        "zone_id": "A",
        "row": "1",
        "number": 1,
        "status": "available",
    }
    assert [s["seat_id"] for s in full["seats"]][:4] == ["A-1-1", "A-1-2", "A-1-3", "A-2-1"]
    assert {s["seat_id"]: s["status"] for s in full["seats"] if s["status"] != "available"} == {
        "A-1-2": "held",
        "B-1-1": "sold",
    }
    assert len(full["seats"]) == CAPACITY
    compact = (await client.get(f"/v1/shows/{show_id}/seats", params={"format": "compact"})).json()
    assert compact["format"] == "compact"
    assert compact["zones"][0]["rows"][0] == {"row": "1", "runs": [[1, 1, "a"], [2, 1, "h"], [3, 1, "a"]]}
    expanded = expand_compact(compact["zones"])
    assert expanded == [
        (s["seat_id"], s["zone_id"], s["row"], s["number"], s["status"]) for s in full["seats"]
    ]


async def test_seat_map_of_one_zone(client: httpx.AsyncClient, seeded: SeededSchema) -> None:
    show_id = await seeded.add_show()
    seats = (await client.get(f"/v1/shows/{show_id}/seats", params={"zone_id": "B"})).json()["seats"]
    assert [s["seat_id"] for s in seats] == ["B-1-1", "B-1-2"]
    missing = await client.get(f"/v1/shows/{show_id}/seats", params={"zone_id": "Z"})
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "zone_not_found"


@pytest.mark.parametrize("path", ["availability", "seats"])
async def test_unknown_show_is_404(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(f"/v1/shows/{uuid4()}/{path}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "show_not_found"


@pytest.mark.parametrize(
    "url",
    [
        "/v1/shows/not-a-uuid/availability",
        "/v1/shows/00000000-0000-0000-0000-000000000000/seats?format=tiny",
        "/v1/shows?wait_ms=5001",
        "/v1/shows?wait_ms=-1",
        "/v1/shows?consistency_token=garbage",
        "/v1/shows?consistency_token=ct1.not-a-uuid.3",
    ],
)
async def test_bad_parameters_are_422_in_the_error_shape(client: httpx.AsyncClient, url: str) -> None:
    response = await client.get(url)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] in {"invalid_request", "invalid_consistency_token"}
    assert error["message"]


async def test_unknown_route_is_404_in_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/nowhere")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
