"""The sales dashboard, for viewers and operators: JSON or CSV, whole or filtered."""

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from infra.http.errors import ApiError
from query_api.dashboard_csv import MEDIA_TYPE as CSV
from query_api.dashboard_csv import dashboard_csv
from query_api.http.auth import DASHBOARD_READERS, require_roles
from query_api.http.caching import PRIVATE, dashboard_variant
from query_api.models import DashboardFilter, DashboardPublic
from query_api.models.errors import ErrorPublic
from query_api.readers.dashboard import read_dashboard
from query_api.readers.versions import DbVersion
from query_api.routes.params import FreshnessDep, StateDep
from query_api.routes.serving import JSON, ReadAtOnce, await_freshness, serve_versioned, show_not_found
from query_api.state import QueryState

PROJECTION = "dashboard"
UNFILTERED = DashboardFilter()
router = APIRouter(tags=["dashboard"])


async def dashboard_filter(
    from_day: Annotated[date | None, Query(alias="from", description="First day (YYYY-MM-DD).")] = None,
    to_day: Annotated[date | None, Query(alias="to", description="Last day (inclusive) of sales.")] = None,
    show_id: Annotated[UUID | None, Query(description="Restrict every figure to this show.")] = None,
) -> DashboardFilter:
    if from_day is not None and to_day is not None and from_day > to_day:
        raise ApiError(422, "invalid_date_range", f"from ({from_day}) is after to ({to_day})")
    return DashboardFilter(from_day=from_day, to_day=to_day, show_id=show_id)


def whole_dashboard(state: QueryState) -> ReadAtOnce:
    """The whole JSON dashboard's version and body in one round trip (the route's and the lean path's):
    the shows that did not move come from their kept sections."""

    async def whole() -> tuple[DbVersion, bytes]:
        return await state.dashboard.read(state.engine, state.views, state.versions)

    return whole


def wants_csv(request: Request, format: Literal["json", "csv"] | None) -> bool:
    """``?format=`` wins; else ``Accept: text/csv`` (ahead of JSON, or without it) asks for CSV."""
    if format is not None:
        return format == "csv"
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and not accept.lstrip().startswith(("application/json", "*/*"))


@router.get(
    "/v1/dashboard",
    response_model=DashboardPublic,
    dependencies=[Depends(require_roles(*DASHBOARD_READERS))],
    responses={
        200: {"content": {CSV: {"schema": {"type": "string"}}}},
        **{code: {"model": ErrorPublic} for code in (401, 403, 404, 422, 503)},
    },
)
async def dashboard(
    request: Request,
    state: StateDep,
    freshness: FreshnessDep,
    where: Annotated[DashboardFilter, Depends(dashboard_filter)],
    format: Annotated[
        Literal["json", "csv"] | None, Query(description="csv: the figures as CSV (or Accept: text/csv).")
    ] = None,
) -> Response:
    """Totals, sales by day, by show (occupancy), by zone and by referrer; by day range and show."""
    tracker, csv = state.tracker, wants_csv(request, format)
    from_memory = await await_freshness(state, freshness, PROJECTION)
    variant = dashboard_variant(where.from_day, where.to_day, where.show_id, csv)
    show_id = where.show_id

    async def version(conn: AsyncConnection) -> DbVersion | None:
        # One show's figures move only with its own watermark; the whole dashboard with the sum of
        # every show's. The tracker knows both without a query.
        if show_id is not None:
            return await state.versions.show(conn, PROJECTION, show_id)
        return await state.versions.all_shows(conn, PROJECTION)

    async def body(conn: AsyncConnection, _: DbVersion) -> bytes:
        figures = await read_dashboard(conn, state.views, where)
        return dashboard_csv(figures) if csv else figures.model_dump_json(by_alias=True).encode()

    def memory_version() -> str | None:
        if not from_memory or not tracker.synced:
            return None
        if show_id is not None:
            return tracker.show_version(PROJECTION, show_id)
        return tracker.all_version(PROJECTION)

    return await serve_versioned(
        request,
        state,
        projection=PROJECTION,
        variant=variant,
        cache_control=PRIVATE,
        memory_version=memory_version,
        read_version=version,
        load_body=body,
        missing=show_not_found(show_id) if show_id is not None else None,
        read_at_once=whole_dashboard(state) if not csv and where == UNFILTERED else None,
        media_type=CSV if csv else JSON,
    )
