"""Read-your-writes over seeded projections: tokens wait for the watermark, woken by NOTIFY."""

import asyncio
from uuid import uuid4

import httpx
import pytest

from contracts import ConsistencyToken
from tests.integration.query_api.conftest import ClientFactory
from tests.integration.query_api.seed import SeededSchema

pytestmark = pytest.mark.integration


async def test_satisfied_token_answers_with_the_current_state(
    client: httpx.AsyncClient, seeded: SeededSchema
) -> None:
    show_id = await seeded.add_show()
    await seeded.hold(show_id, "A-1-1")
    token = ConsistencyToken(show_id, seeded.seq(show_id)).encode()
    response = await client.get(f"/v1/shows/{show_id}/availability", params={"consistency_token": token})
    assert response.status_code == 200
    assert response.json()["seq"] == seeded.seq(show_id) == 2
    assert response.json()["zones"][0]["held"] == 1


async def test_token_in_the_header_is_honoured(client: httpx.AsyncClient, seeded: SeededSchema) -> None:
    show_id = await seeded.add_show()
    token = ConsistencyToken(show_id, seeded.seq(show_id) + 8).encode()
    response = await client.get(
        f"/v1/shows/{show_id}/seats", params={"wait_ms": 0}, headers={"X-Consistency-Token": token}
    )
    assert response.status_code == 503


async def test_waiting_request_is_woken_by_the_projection_notification(
    client_factory: ClientFactory, seeded: SeededSchema
) -> None:
    show_id = await seeded.add_show()
    # A fallback re-check far beyond the wait: only the NOTIFY can make this answer 200.
    async with client_factory(recheck_interval_ms=5000) as (client, _):
        token = ConsistencyToken(show_id, seeded.seq(show_id) + 3).encode()  # hold, order, pay
        request = asyncio.create_task(
            client.get(f"/v1/shows/{show_id}/seats", params={"consistency_token": token, "wait_ms": 4000})
        )
        await asyncio.sleep(0.3)  # let the request reach its wait
        assert not request.done()
        await seeded.sell(show_id, "A-1-1")  # the projector's batch commits and NOTIFYs
        response = await request
    assert response.status_code == 200
    seats = {s["seat_id"]: s["status"] for s in response.json()["seats"]}
    assert seats["A-1-1"] == "sold"


async def test_missed_notification_is_covered_by_the_fallback_recheck(
    client_factory: ClientFactory, seeded: SeededSchema
) -> None:
    show_id = await seeded.add_show()
    async with client_factory(recheck_interval_ms=100) as (client, app):
        token = ConsistencyToken(show_id, seeded.seq(show_id) + 1).encode()
        request = asyncio.create_task(
            client.get(
                f"/v1/shows/{show_id}/availability", params={"consistency_token": token, "wait_ms": 4000}
            )
        )
        await asyncio.sleep(0.3)
        assert not request.done()
        # The projector always NOTIFYs: stop listening, so that this notification is missed.
        await app.state.query.listener.stop()
        await seeded.hold(show_id, "A-1-1")
        response = await request
    assert response.status_code == 200
    assert response.json()["seq"] == seeded.seq(show_id)


async def test_unsatisfiable_token_gets_503_projection_behind(
    client: httpx.AsyncClient, seeded: SeededSchema
) -> None:
    show_id = await seeded.add_show()
    token = ConsistencyToken(show_id, 50).encode()
    response = await client.get(
        f"/v1/shows/{show_id}/availability", params={"consistency_token": token, "wait_ms": 200}
    )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    error = response.json()["error"]
    assert error["code"] == "projection_behind"
    assert (error["required_seq"], error["watermark"]) == (50, seeded.seq(show_id))


async def test_token_of_a_show_not_yet_projected_waits_then_503(
    client: httpx.AsyncClient, seeded: SeededSchema
) -> None:
    await seeded.add_show()
    token = ConsistencyToken(uuid4(), 1).encode()
    response = await client.get("/v1/shows", params={"consistency_token": token, "wait_ms": 100})
    assert response.status_code == 503
    assert response.json()["error"]["watermark"] is None


async def test_token_of_a_command_without_a_show_is_always_satisfied(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/shows", params={"consistency_token": "ct1.-.0"})
    assert response.status_code == 200


async def test_dashboard_waits_on_the_dashboard_watermark(
    client: httpx.AsyncClient, seeded: SeededSchema
) -> None:
    show_id = await seeded.add_show()
    # The seat map is at seq 2 but the dashboard is still at 1: the dashboard read must not pass.
    await seeded.hold(show_id, "A-1-1", to=["seat_availability"])
    token = ConsistencyToken(show_id, seeded.seq(show_id)).encode()
    viewer = {"Authorization": "Bearer test-viewer-key"}
    behind = await client.get(
        "/v1/dashboard", params={"consistency_token": token, "wait_ms": 100}, headers=viewer
    )
    assert behind.status_code == 503
    assert behind.json()["error"]["watermark"] == 1
    await seeded.catch_up("dashboard")
    caught_up = await client.get("/v1/dashboard", params={"consistency_token": token}, headers=viewer)
    assert caught_up.status_code == 200
    assert caught_up.json()["totals"]["held_seats"] == 1
