"""The in-memory hot path answers exactly as the routes do (same status, headers, body, metrics)."""

from uuid import UUID

import httpx
import pytest

from contracts import ConsistencyToken
from tests.integration.query_api.conftest import Settle
from tests.integration.query_api.seed import SeededSchema

pytestmark = pytest.mark.integration

HEADERS = ("etag", "cache-control", "content-type", "content-length")


def same(fast: httpx.Response, routed: httpx.Response) -> None:
    assert fast.status_code == routed.status_code
    assert fast.content == routed.content
    assert {h: fast.headers.get(h) for h in HEADERS} == {h: routed.headers.get(h) for h in HEADERS}


@pytest.mark.parametrize("resource", ["availability", "seats", "seats?format=compact&zone_id=A"])
async def test_the_hot_path_answers_as_the_route_does(
    client: httpx.AsyncClient, seeded: SeededSchema, settle: Settle, resource: str
) -> None:
    show_id = await seeded.add_show()
    await seeded.hold(show_id, "A-1-1")
    await settle()
    # An upper-case show id is the route's to parse: the same resource, answered by the route.
    routed_url = f"/v1/shows/{str(show_id).upper()}/{resource}"
    fast_url = f"/v1/shows/{show_id}/{resource}"
    first = await client.get(fast_url)  # not cached yet: the route answers and caches it
    assert first.status_code == 200
    same(await client.get(fast_url), await client.get(routed_url))
    etag = {"If-None-Match": first.headers["etag"]}
    same(await client.get(fast_url, headers=etag), await client.get(routed_url, headers=etag))
    token = {"X-Consistency-Token": ConsistencyToken(show_id, seeded.seq(show_id)).encode()}
    same(await client.get(fast_url, headers=token), await client.get(routed_url, headers=token))
    metrics = (await client.get("/metrics")).text
    assert f'route="/v1/shows/{{show_id}}/{resource.split("?", maxsplit=1)[0]}",status="304"' in metrics
    assert "<unmatched>" not in metrics  # the hot path's answers carry their route too


async def test_what_the_hot_path_does_not_know_goes_to_the_route(
    client: httpx.AsyncClient, seeded: SeededSchema, settled_show: UUID
) -> None:
    show_id = settled_show
    url = f"/v1/shows/{show_id}/availability"
    assert (await client.get(url)).status_code == 200
    behind = ConsistencyToken(show_id, seeded.seq(show_id) + 1).encode()
    waited = await client.get(url, params={"consistency_token": behind, "wait_ms": 0})
    assert waited.status_code == 503
    assert waited.json()["error"]["code"] == "projection_behind"
    bad = await client.get(url, params={"wait_ms": "9999"})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_request"
    invalid = await client.get(url, params={"consistency_token": "nope"})
    assert invalid.json()["error"]["code"] == "invalid_consistency_token"
    listed = await client.get("/v1/shows")
    again = await client.get("/v1/shows", headers={"If-None-Match": listed.headers["etag"]})
    assert again.status_code == 304


async def test_the_hot_path_answers_the_whole_dashboard_as_the_route_does(
    client: httpx.AsyncClient, seeded: SeededSchema, settle: Settle
) -> None:
    show_id = await seeded.add_show()
    await seeded.sell(show_id, "A-1-1", referrer="aff-1")
    await settle()
    viewer = {"Authorization": "Bearer test-viewer-key"}
    # A parameter given twice is the route's to read: the same resource, answered by the route.
    fast_url, routed_url = "/v1/dashboard", "/v1/dashboard?format=json&format=json"
    first = await client.get(fast_url, headers=viewer)  # not cached yet: the route answers and caches it
    assert first.status_code == 200
    same(await client.get(fast_url, headers=viewer), await client.get(routed_url, headers=viewer))
    etag = {"If-None-Match": first.headers["etag"], **viewer}
    same(await client.get(fast_url, headers=etag), await client.get(routed_url, headers=etag))
    token = {"X-Consistency-Token": ConsistencyToken(show_id, seeded.seq(show_id)).encode(), **viewer}
    same(await client.get(fast_url, headers=token), await client.get(routed_url, headers=token))
    operator = {"Authorization": "bearer test-operator-key"}
    same(await client.get(fast_url, headers=operator), await client.get(routed_url, headers=operator))
    metrics = (await client.get("/metrics")).text
    assert 'route="/v1/dashboard",status="304"' in metrics
    assert "<unmatched>" not in metrics


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer not-a-key"}, 401),
        ({"Authorization": "Basic test-viewer-key"}, 401),
        ({"Authorization": "Bearer test-checkout-key"}, 403),
    ],
)
async def test_the_hot_path_leaves_dashboard_refusals_to_the_route(
    client: httpx.AsyncClient, settled_show: UUID, headers: dict[str, str], status: int
) -> None:
    viewer = {"Authorization": "Bearer test-viewer-key"}
    assert (await client.get("/v1/dashboard", headers=viewer)).status_code == 200  # now cached
    refused = await client.get("/v1/dashboard", headers=headers)
    assert refused.status_code == status
    assert refused.json()["error"]["code"] == ("unauthorized" if status == 401 else "forbidden")
    assert "by_show" not in refused.text


async def test_the_dashboard_as_csv_stays_the_routes(client: httpx.AsyncClient, settled_show: UUID) -> None:
    viewer = {"Authorization": "Bearer test-viewer-key"}
    assert (await client.get("/v1/dashboard", headers=viewer)).status_code == 200  # the JSON, cached
    for headers, params in (({**viewer, "Accept": "text/csv"}, {}), (viewer, {"format": "csv"})):
        csv = await client.get("/v1/dashboard", headers=headers, params=params)
        assert csv.status_code == 200
        assert csv.headers["content-type"].startswith("text/csv")
