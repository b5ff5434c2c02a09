"""The sales dashboard (dashboard projection)."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


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
    filtered_by: list[Literal["show_id"]] = Field(
        default_factory=list,
        description="The filters these totals answer: the show when one is given. Totals are the current"
        " state of orders and holds, so a day range never restricts them.",
    )


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


class DashboardFilter(BaseModel):
    """What the figures are restricted to (null: not restricted)."""

    model_config = ConfigDict(populate_by_name=True)

    from_day: date | None = Field(None, alias="from", description="First day of sales and referrers.")
    to_day: date | None = Field(None, alias="to", description="Last day (inclusive) of the same.")
    show_id: UUID | None = Field(None, description="The one show every figure is restricted to.")

    @property
    def by_day(self) -> bool:
        return self.from_day is not None or self.to_day is not None


class DashboardPublic(BaseModel):
    filter: DashboardFilter = Field(default_factory=DashboardFilter)
    totals: DashboardTotals
    sales_by_day: list[SalesByDay]
    by_show: list[ShowSales]
    by_zone: list[ZoneSales]
    by_referrer: list[ReferrerSales]
