"""Response models of the query API; their field names are the design's contract."""

from query_api.models.dashboard import (
    DashboardFilter,
    DashboardPublic,
    DashboardTotals,
    ReferrerSales,
    SalesByDay,
    ShowSales,
    ZoneSales,
)
from query_api.models.errors import ErrorDetail, ErrorPublic
from query_api.models.projections import ProjectionPublic, ProjectionsPublic, ProjectionVersionPublic
from query_api.models.shows import (
    AvailabilityPublic,
    CompactRow,
    CompactZone,
    SeatMapCompactPublic,
    SeatPublic,
    SeatsPublic,
    ShowPublic,
    ShowsPublic,
    ZoneAvailability,
)

__all__ = [
    "AvailabilityPublic",
    "CompactRow",
    "CompactZone",
    "DashboardFilter",
    "DashboardPublic",
    "DashboardTotals",
    "ErrorDetail",
    "ErrorPublic",
    "ProjectionPublic",
    "ProjectionVersionPublic",
    "ProjectionsPublic",
    "ReferrerSales",
    "SalesByDay",
    "SeatMapCompactPublic",
    "SeatPublic",
    "SeatsPublic",
    "ShowPublic",
    "ShowSales",
    "ShowsPublic",
    "ZoneAvailability",
    "ZoneSales",
]
