"""The sales dashboard, for viewers and operators."""

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from query_api.http.auth import require_roles
from query_api.http.caching import PRIVATE
from query_api.models import DashboardPublic
from query_api.models.errors import ErrorPublic
from query_api.readers.dashboard import read_dashboard
from query_api.readers.versions import DbVersion
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
    views, tracker = state.views, state.tracker
    from_memory = await await_freshness(state, freshness, PROJECTION)

    async def version(conn: AsyncConnection) -> DbVersion:
        # The sum of watermarks moves with every applied event, so the cache holds
        # one dashboard per state; the tracker knows that sum without a query.
        return await state.versions.all_shows(conn, PROJECTION)

    async def body(conn: AsyncConnection, _: DbVersion) -> bytes:
        return (await read_dashboard(conn, views)).model_dump_json().encode()

    return await serve_versioned(
        request,
        state,
        projection=PROJECTION,
        variant="dashboard",
        cache_control=PRIVATE,
        memory_version=tracker.all_version(PROJECTION) if from_memory and tracker.synced else None,
        read_version=version,
        load_body=body,
    )
