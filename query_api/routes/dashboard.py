"""The sales dashboard, for viewers and operators."""

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from query_api.http.auth import require_roles
from query_api.http.caching import PRIVATE
from query_api.models import DashboardPublic
from query_api.models.errors import ErrorPublic
from query_api.readers.dashboard import read_dashboard
from query_api.readers.versions import all_shows_version
from query_api.routes.params import FreshnessDep, StateDep
from query_api.routes.serving import await_freshness, serve_versioned

PROJECTION = "dashboard"
router = APIRouter(tags=["dashboard"])


@router.get(
    "/v1/dashboard",
    response_model=DashboardPublic,
    dependencies=[Depends(require_roles("viewer", "operator"))],
    responses={code: {"model": ErrorPublic} for code in (401, 403, 422, 503)},
)
async def dashboard(request: Request, state: StateDep, freshness: FreshnessDep) -> Response:
    """Totals, sales by day, by show (occupancy), by zone and by referrer."""
    views = state.views
    await await_freshness(state, freshness, views.dashboard_watermarks, PROJECTION)

    async def version(conn: AsyncConnection) -> str:
        # The sum of watermarks moves with every applied event, so the cache holds
        # one dashboard per state and repeated reads cost one small select.
        return await all_shows_version(conn, views, views.dashboard_watermarks)

    async def body(conn: AsyncConnection, _: str) -> bytes:
        return (await read_dashboard(conn, views)).model_dump_json().encode()

    return await serve_versioned(
        request, state, variant="dashboard", cache_control=PRIVATE, read_version=version, load_body=body
    )
