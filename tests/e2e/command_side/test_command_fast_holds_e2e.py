"""Holds over HTTP against the real command API process, where the lean hold path answers them.

Accepted holds, replays and conflicts are the lean path's answers; every
refusal of the schema or of the auth is handed to the route. Both must keep
the design's contract: statuses, the error shape, the headers, the metrics.
"""

from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.e2e.command_side.cmd_e2e_support import CommandProcesses

pytestmark = pytest.mark.e2e
OPERATOR = {"Authorization": "Bearer e2e-operator-key"}
CHECKOUT = {"Authorization": "Bearer e2e-checkout-key"}
VIEWER = {"Authorization": "Bearer e2e-viewer-key"}


async def _show(http: httpx.AsyncClient) -> str:
    rows = [{"row": str(r), "seats": 10} for r in range(1, 4)]
    zones = [{"zone_id": "A", "name": "Stalls", "rows": rows}]
    venue = await http.post("/v1/venues", json={"name": f"v-{uuid4()}", "zones": zones}, headers=OPERATOR)
    assert venue.status_code == 201, venue.text
    body = {
        "venue_id": venue.json()["venue_id"],
        "title": "Lean night",
        "starts_at": "2030-05-01T19:30:00Z",
        "prices": {"A": 1000},
    }
    show = await http.post("/v1/shows", json=body, headers=OPERATOR)
    assert show.status_code == 201, show.text
    return str(show.json()["show_id"])


def _error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error


@pytest.fixture
async def http(command_processes: CommandProcesses) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=command_processes.base_url, timeout=10) as client:
        yield client


async def test_a_hold_its_replay_and_its_reused_key(http: httpx.AsyncClient) -> None:
    show_id = await _show(http)
    url = f"/v1/shows/{show_id}/holds"
    headers = {**CHECKOUT, "Idempotency-Key": f"lean-{uuid4()}", "X-Correlation-Id": str(uuid4())}
    body = {"customer_id": "ann", "seat_ids": ["A-1-1", "A-1-2"]}
    first = await http.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.text
    answer = first.json()
    assert set(answer) == {"hold_id", "show_id", "seat_ids", "expires_at", "consistency_token"}
    assert answer["show_id"] == show_id
    assert answer["seat_ids"] == ["A-1-1", "A-1-2"]
    assert first.headers["X-Consistency-Token"] == answer["consistency_token"]
    assert first.headers["content-type"] == "application/json"
    assert "Idempotent-Replayed" not in first.headers
    again = await http.post(url, json=body, headers=headers)
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["X-Consistency-Token"] == answer["consistency_token"]
    other = await http.post(url, json={**body, "seat_ids": ["A-1-3"]}, headers=headers)
    _error(other, 422, "idempotency_key_reused")
    taken = await http.post(url, json={"customer_id": "bob", "seat_ids": ["A-1-2"]}, headers=CHECKOUT)
    assert _error(taken, 409, "seats_unavailable")["seat_ids"] == ["A-1-2"]


async def test_best_available_and_an_unknown_show(http: httpx.AsyncClient) -> None:
    show_id = await _show(http)
    best = {"customer_id": "cat", "zone_id": "A", "quantity": 3}
    held = await http.post(f"/v1/shows/{show_id}/holds", json=best, headers=OPERATOR)
    assert held.status_code == 201, held.text
    assert len(held.json()["seat_ids"]) == 3
    unknown = await http.post(f"/v1/shows/{uuid4()}/holds", json=best, headers=CHECKOUT)
    _error(unknown, 404, "show_not_found")


async def test_callers_without_a_holding_role_are_refused(http: httpx.AsyncClient) -> None:
    url = f"/v1/shows/{uuid4()}/holds"
    body = {"customer_id": "dan", "seat_ids": ["A-1-1"]}
    missing = await http.post(url, json=body)
    _error(missing, 401, "unauthorized")
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    _error(
        await http.post(url, json=body, headers={"Authorization": "Bearer not-a-key-at-all"}),
        401,
        "unauthorized",
    )
    assert _error(await http.post(url, json=body, headers=VIEWER), 403, "forbidden")["role"] == "viewer"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b'{"customer_id": "eve", "seat_ids": ["A-1-1"]', "malformed_json"),
        (b'{"customer_id": "eve", "seat_ids": ["A-1-1"], "unknown": 1}', "invalid_request"),
        (b'{"customer_id": "eve", "seat_ids": ["A-1-1"], "zone_id": "A", "quantity": 1}', "invalid_request"),
        (b'{"customer_id": "eve", "zone_id": "A", "quantity": "2"}', "invalid_request"),
        (b'{"customer_id": "e v e", "seat_ids": ["A-1-1"]}', "invalid_request"),
        (b"[]", "invalid_request"),
    ],
)
async def test_bad_bodies_get_the_routes_422(http: httpx.AsyncClient, content: bytes, code: str) -> None:
    show_id = await _show(http)
    headers = {**CHECKOUT, "Content-Type": "application/json"}
    response = await http.post(f"/v1/shows/{show_id}/holds", content=content, headers=headers)
    error = _error(response, 422, code)
    if code == "invalid_request":
        assert error["problems"]


async def test_headers_out_of_bounds_get_the_routes_422(http: httpx.AsyncClient) -> None:
    show_id = await _show(http)
    url = f"/v1/shows/{show_id}/holds"
    body = {"customer_id": "fay", "seat_ids": ["A-2-1"]}
    too_long = await http.post(url, json=body, headers={**CHECKOUT, "Idempotency-Key": "k" * 201})
    _error(too_long, 422, "invalid_request")
    correlation = await http.post(url, json=body, headers={**CHECKOUT, "X-Correlation-Id": "c" * 101})
    _error(correlation, 422, "invalid_request")


async def test_paths_it_leaves_to_the_route_are_answered_alike(http: httpx.AsyncClient) -> None:
    show_id = await _show(http)
    upper = await http.post(
        f"/v1/shows/{show_id.upper()}/holds",
        json={"customer_id": "gus", "seat_ids": ["A-3-1"]},
        headers=CHECKOUT,
    )
    assert upper.status_code == 201, upper.text
    assert upper.json()["show_id"] == show_id
    _error(await http.post("/v1/shows/not-a-uuid/holds", json={}, headers=CHECKOUT), 422, "invalid_request")


async def test_lean_answers_are_counted_under_the_route(http: httpx.AsyncClient) -> None:
    def accepted(text: str) -> float:
        for line in text.splitlines():
            if line.startswith('boxoffice_commands_total{command="HoldSeats",outcome="accepted"}'):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    show_id = await _show(http)
    before = accepted((await http.get("/metrics")).text)
    held = await http.post(
        f"/v1/shows/{show_id}/holds", json={"customer_id": "hal", "seat_ids": ["A-3-2"]}, headers=CHECKOUT
    )
    assert held.status_code == 201
    metrics = (await http.get("/metrics")).text
    assert accepted(metrics) == before + 1
    assert (
        'boxoffice_command_request_seconds_count{method="POST",route="/v1/shows/{show_id}/holds",status="201"}'
        in metrics
    )
