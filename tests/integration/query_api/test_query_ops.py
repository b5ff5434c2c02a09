"""Health, readiness, metrics and OpenAPI."""

import httpx
import pytest

from tests.integration.query_api.seed import SeededSchema

pytestmark = pytest.mark.integration

VIEWER = {"Authorization": "Bearer test-viewer-key"}  # the dashboard's role; public reads ignore it


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"


async def test_not_ready_without_read_views(client: httpx.AsyncClient, seeded: SeededSchema) -> None:
    seeded.execute("DROP VIEW {r}.dashboard_watermarks")
    ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["missing_views"] == [f"{seeded.read_schema}.dashboard_watermarks"]


async def test_metrics_are_labelled_by_route_template(
    client: httpx.AsyncClient, seeded: SeededSchema
) -> None:
    show_id = await seeded.add_show()
    await client.get(f"/v1/shows/{show_id}/availability")
    text = (await client.get("/metrics")).text
    assert 'route="/v1/shows/{show_id}/availability"' in text
    assert str(show_id) not in text


async def test_openapi_documents_the_read_routes(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert {
        "/v1/shows",
        "/v1/shows/{show_id}/availability",
        "/v1/shows/{show_id}/seats",
        "/v1/dashboard",
        "/v1/projections",
    } <= set(spec["paths"])
    assert (await client.get("/docs")).status_code == 200


@pytest.mark.parametrize(
    ("view", "path"),
    [
        ("seat_availability_zones", "/v1/shows/{show}/availability"),
        ("seat_availability_seats", "/v1/shows/{show}/seats?zone_id=A"),
        ("dashboard_by_show", "/v1/dashboard"),
    ],
)
async def test_a_missing_read_view_is_503_not_500(
    client: httpx.AsyncClient, seeded: SeededSchema, view: str, path: str
) -> None:
    show_id = await seeded.add_show()
    seeded.execute(f"DROP VIEW {{r}}.{view}")
    response = await client.get(path.format(show=show_id), headers=VIEWER)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "read_model_unavailable"
    assert response.headers["retry-after"] == "1"
