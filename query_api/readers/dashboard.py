"""The sales dashboard: five small selects over the dashboard views, nothing summed here."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from query_api.models import (
    DashboardPublic,
    DashboardTotals,
    ReferrerSales,
    SalesByDay,
    ShowSales,
    ZoneSales,
)
from query_api.views import ReadViews

_ZERO_TOTALS = DashboardTotals(
    orders_pending=0,
    orders_paid=0,
    orders_cancelled=0,
    orders_expired=0,
    tickets_sold=0,
    revenue_cents=0,
    refunded_cents=0,
    live_holds=0,
    held_seats=0,
)


def occupancy_pct(sold: int, capacity: int) -> float:
    """Sold seats as a percentage of capacity, two decimals; 0 for an empty venue."""
    return round(100.0 * sold / capacity, 2) if capacity > 0 else 0.0


async def read_dashboard(conn: AsyncConnection, views: ReadViews) -> DashboardPublic:
    """The whole dashboard from one snapshot (the caller's transaction)."""
    totals_row = (await conn.execute(select(views.dashboard_totals))).first()
    totals = DashboardTotals.model_validate(totals_row._mapping) if totals_row else _ZERO_TOTALS
    by_day = views.dashboard_sales_by_day
    show = views.dashboard_by_show
    zone = views.dashboard_by_zone
    ref = views.dashboard_by_referrer
    days = await conn.execute(select(by_day).order_by(by_day.c.day))
    shows = await conn.execute(select(show).order_by(show.c.starts_at, show.c.show_id))
    zones = await conn.execute(select(zone).order_by(zone.c.show_id, zone.c.zone_id))
    referrers = await conn.execute(select(ref).order_by(ref.c.revenue_cents.desc(), ref.c.referrer_id))
    return DashboardPublic(
        totals=totals,
        sales_by_day=[SalesByDay.model_validate(r._mapping) for r in days],
        by_show=[
            ShowSales.model_validate({**r._mapping, "occupancy_pct": occupancy_pct(r.sold, r.capacity)})
            for r in shows
        ],
        by_zone=[ZoneSales.model_validate(r._mapping) for r in zones],
        by_referrer=[ReferrerSales.model_validate(r._mapping) for r in referrers],
    )
