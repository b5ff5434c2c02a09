"""The sales dashboard: a few small selects over the dashboard views, nothing summed over orders.

Unfiltered, every figure is a row of its view. Filtered by a day range and/or a
show, the figures come from the per-show views (by show, day and referrer), so a
filtered read costs what the shows and days it covers cost, never the orders.
"""

from typing import Any

from sqlalchemy import ColumnElement, Row, Select, Table, desc, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncConnection

from query_api.models import dashboard as model
from query_api.views import ReadViews

_TOTALS = tuple(name for name in model.DashboardTotals.model_fields if name != "filtered_by")
_TRIPLE = ("orders_paid", "tickets_sold", "revenue_cents")
BY_REVENUE: tuple[ColumnElement[Any], ...] = (
    desc(literal_column("revenue_cents")),
    literal_column("referrer_id"),
)


def occupancy_pct(sold: int, capacity: int) -> float:
    """Sold seats as a percentage of capacity, two decimals; 0 for an empty venue."""
    return round(100.0 * sold / capacity, 2) if capacity > 0 else 0.0


def _within(table: Table, where: model.DashboardFilter, *, by_show: bool = True) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if by_show and where.show_id is not None:
        conditions.append(table.c.show_id == where.show_id)
    if where.from_day is not None:
        conditions.append(table.c.day >= where.from_day)
    if where.to_day is not None:
        conditions.append(table.c.day <= where.to_day)
    return conditions


def _summed(table: Table, key: str, where: model.DashboardFilter) -> Select[Any]:
    """``key`` and the sales triple summed over the per-show rows the filter selects."""
    sums = [func.sum(table.c[name]).cast(table.c[name].type).label(name) for name in _TRIPLE]
    return select(table.c[key], *sums).where(*_within(table, where)).group_by(table.c[key])


def show_sales(row: Row[Any]) -> model.ShowSales:
    """One row of the by-show view, with its occupancy."""
    return model.ShowSales.model_validate(
        {**row._mapping, "occupancy_pct": occupancy_pct(row.sold, row.capacity)}
    )


async def read_totals(
    conn: AsyncConnection, views: ReadViews, where: model.DashboardFilter
) -> model.DashboardTotals:
    if where.show_id is None:
        row = (await conn.execute(select(views.dashboard_totals))).first()
        filtered_by: list[Any] = []
    else:
        per_show = views.dashboard_show_totals
        row = (await conn.execute(select(per_show).where(per_show.c.show_id == where.show_id))).first()
        filtered_by = ["show_id"]
    figures = {name: (row._mapping[name] if row is not None else 0) for name in _TOTALS}
    return model.DashboardTotals.model_validate({**figures, "filtered_by": filtered_by})


async def read_dashboard(
    conn: AsyncConnection, views: ReadViews, where: model.DashboardFilter | None = None
) -> model.DashboardPublic:
    """The dashboard from one snapshot (the caller's transaction), restricted as ``where`` says."""
    where = where or model.DashboardFilter()
    show, zone = views.dashboard_by_show, views.dashboard_by_zone
    if where.show_id is None:
        by_day = views.dashboard_sales_by_day
        days_query = select(by_day).where(*_within(by_day, where, by_show=False))
        shows_query = select(show)
        zones_query = select(zone)
    else:
        days_query = _summed(views.dashboard_show_sales_by_day, "day", where)
        shows_query = select(show).where(show.c.show_id == where.show_id)
        zones_query = select(zone).where(zone.c.show_id == where.show_id)
    if where.show_id is None and not where.by_day:
        referrers_query = select(views.dashboard_by_referrer)
    else:
        referrers_query = _summed(views.dashboard_show_referrer_sales, "referrer_id", where)
    days = await conn.execute(days_query.order_by("day"))
    shows = await conn.execute(shows_query.order_by(show.c.starts_at, show.c.show_id))
    zones = await conn.execute(zones_query.order_by(zone.c.show_id, zone.c.zone_id))
    referrers = await conn.execute(referrers_query.order_by(*BY_REVENUE))
    return model.DashboardPublic(
        filter=where,
        totals=await read_totals(conn, views, where),
        sales_by_day=[model.SalesByDay.model_validate(r._mapping) for r in days],
        by_show=[show_sales(r) for r in shows],
        by_zone=[model.ZoneSales.model_validate(r._mapping) for r in zones],
        by_referrer=[model.ReferrerSales.model_validate(r._mapping) for r in referrers],
    )
