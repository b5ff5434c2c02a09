"""The sales dashboard (dashboard projection)."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field


class DashboardTotals(BaseModel):
    orders_pending: int
    orders_paid: int
    orders_cancelled: int
    orders_expired: int
    tickets_sold: int
    revenue_cents: int = Field(description="Net: payments minus refunds.")
    refunded_cents: int
    live_holds: int
    held_seats: int = Field(description="Seats in live holds and in orders pending payment.")


class SalesByDay(BaseModel):
    day: date
    orders_paid: int
    tickets_sold: int
    revenue_cents: int


class ShowSales(BaseModel):
    show_id: UUID
    title: str
    starts_at: datetime
    capacity: int
    sold: int
    held: int
    occupancy_pct: float = Field(description="Sold seats as a percentage of capacity, two decimals.")
    revenue_cents: int


class ZoneSales(BaseModel):
    show_id: UUID
    zone_id: str
    name: str
    capacity: int
    sold: int
    revenue_cents: int


class ReferrerSales(BaseModel):
    referrer_id: str
    orders_paid: int
    tickets_sold: int
    revenue_cents: int


class DashboardPublic(BaseModel):
    totals: DashboardTotals
    sales_by_day: list[SalesByDay]
    by_show: list[ShowSales]
    by_zone: list[ZoneSales]
    by_referrer: list[ReferrerSales]
