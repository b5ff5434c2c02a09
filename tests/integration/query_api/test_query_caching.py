"""ETags from versions: 304 while unchanged, a new ETag once the read model moves."""

import httpx
import pytest

from tests.integration.query_api.seed import SeededSchema

pytestmark = pytest.mark.integration

VIEWER = {"Authorization": "Bearer test-viewer-key"}


@pytest.mark.parametrize("resource", ["availability", "seats", "seats?format=compact"])
async def test_unchanged_show_resource_is_304_and_a_change_gets_a_new_etag(
    client: httpx.AsyncClient, seeded: SeededSchema, resource: str
) -> None:
    show_id = seeded.add_show()
    url = f"/v1/shows/{show_id}/{resource}"
    first = await client.get(url)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache"
    again = await client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
    assert again.content == b""
    seeded.set_seat(show_id, "A-1-1", "held", 2)
    changed = await client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert changed.content != first.content


async def test_variants_of_a_resource_have_distinct_etags(
    client: httpx.AsyncClient, seeded: SeededSchema
) -> None:
    show_id = seeded.add_show()
    full = await client.get(f"/v1/shows/{show_id}/seats")
    compact = await client.get(f"/v1/shows/{show_id}/seats", params={"format": "compact"})
    zone = await client.get(f"/v1/shows/{show_id}/seats", params={"zone_id": "A"})
    assert len({full.headers["etag"], compact.headers["etag"], zone.headers["etag"]}) == 3


async def test_show_list_and_dashboard_revalidate(client: httpx.AsyncClient, seeded: SeededSchema) -> None:
    show_id = seeded.add_show()
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
    seeded.add_show("Othello")
    seeded.execute("UPDATE {r}.dashboard_watermarks SET seq = 5 WHERE show_id = %s", (show_id,))
    assert (
        await client.get("/v1/shows", headers={"If-None-Match": shows.headers["etag"]})
    ).status_code == 200
    moved = await client.get("/v1/dashboard", headers={**VIEWER, "If-None-Match": dashboard.headers["etag"]})
    assert moved.status_code == 200


async def test_a_replay_swap_changes_the_etag_at_equal_watermarks(
    client: httpx.AsyncClient, seeded: SeededSchema
) -> None:
    show_id = seeded.add_show()
    url = f"/v1/shows/{show_id}/availability"
    etag = (await client.get(url)).headers["etag"]
    seeded.execute(
        "UPDATE " + seeded.meta_schema + ".versions SET version = 2 WHERE projection = 'seat_availability'"
    )
    assert (await client.get(url, headers={"If-None-Match": etag})).status_code == 200


async def test_projections_status_revalidates(client: httpx.AsyncClient) -> None:
    operator = {"Authorization": "Bearer test-operator-key"}
    first = await client.get("/v1/projections", headers=operator)
    again = await client.get("/v1/projections", headers={**operator, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
