"""ETags from versions: 304 while unchanged, a new ETag once the read model moves."""

import httpx
import pytest

from tests.integration.query_api.conftest import Settle
from tests.integration.query_api.seed import SeededSchema

pytestmark = pytest.mark.integration

VIEWER = {"Authorization": "Bearer test-viewer-key"}


@pytest.mark.parametrize("resource", ["availability", "seats", "seats?format=compact"])
async def test_unchanged_show_resource_is_304_and_a_change_gets_a_new_etag(
    client: httpx.AsyncClient, seeded: SeededSchema, settle: Settle, resource: str
) -> None:
    show_id = await seeded.add_show()
    url = f"/v1/shows/{show_id}/{resource}"
    first = await client.get(url)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache"
    again = await client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
    assert again.content == b""
    await seeded.hold(show_id, "A-1-1")
    await settle()  # without a token, a read reflects the notices the API has received
    changed = await client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert changed.content != first.content


async def test_variants_of_a_resource_have_distinct_etags(
    client: httpx.AsyncClient, seeded: SeededSchema
) -> None:
    show_id = await seeded.add_show()
    full = await client.get(f"/v1/shows/{show_id}/seats")
    compact = await client.get(f"/v1/shows/{show_id}/seats", params={"format": "compact"})
    zone = await client.get(f"/v1/shows/{show_id}/seats", params={"zone_id": "A"})
    assert len({full.headers["etag"], compact.headers["etag"], zone.headers["etag"]}) == 3


async def test_show_list_and_dashboard_revalidate(
    client: httpx.AsyncClient, seeded: SeededSchema, settle: Settle
) -> None:
    show_id = await seeded.add_show()
    shows = await client.get("/v1/shows")
    dashboard = await client.get("/v1/dashboard", headers=VIEWER)
    assert dashboard.headers["cache-control"] == "private, no-cache"
    assert (
        await client.get("/v1/shows", headers={"If-None-Match": shows.headers["etag"]})
    ).status_code == 304
    not_modified = await client.get(
        "/v1/dashboard", headers={**VIEWER, "If-None-Match": dashboard.headers["etag"]}
    )
    assert not_modified.status_code == 304
    await seeded.add_show("Othello", to=["seat_availability"])  # the dashboard has not seen it yet
    await settle()
    assert (
        await client.get("/v1/shows", headers={"If-None-Match": shows.headers["etag"]})
    ).status_code == 200
    still = await client.get("/v1/dashboard", headers={**VIEWER, "If-None-Match": dashboard.headers["etag"]})
    assert still.status_code == 304
    await seeded.hold(show_id, "A-1-1", to=["dashboard"])  # the dashboard catches up, then moves on
    await settle()
    moved = await client.get("/v1/dashboard", headers={**VIEWER, "If-None-Match": dashboard.headers["etag"]})
    assert moved.status_code == 200
    assert sorted(s["title"] for s in moved.json()["by_show"]) == ["Hamlet", "Othello"]
    assert moved.json()["totals"]["held_seats"] == 1


async def test_a_replay_swap_changes_the_etag_at_equal_watermarks(
    client: httpx.AsyncClient, seeded: SeededSchema, settle: Settle
) -> None:
    show_id = await seeded.add_show()
    await seeded.hold(show_id, "A-1-1")
    url = f"/v1/shows/{show_id}/availability"
    first = await client.get(url)
    assert seeded.live["seat_availability"].version == 1
    replayed = await seeded.replay("seat_availability")  # version 2, from the same events
    assert replayed.version == 2
    await settle()  # the API has seen the swap
    again = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 200
    assert again.headers["etag"] != first.headers["etag"]
    assert again.json() == first.json()  # same watermark, same rows


async def test_projections_status_revalidates(client: httpx.AsyncClient) -> None:
    operator = {"Authorization": "Bearer test-operator-key"}
    first = await client.get("/v1/projections", headers=operator)
    again = await client.get("/v1/projections", headers={**operator, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
