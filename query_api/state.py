"""What every request of the query API shares, built once by the composition root."""

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from query_api.cache import BodyCache
from query_api.coalescing import BuildCoalescer
from query_api.consistency import ProgressSignal, VersionTracker
from query_api.consistency.feed import ProgressFeed
from query_api.dashboard_sections import DashboardSections
from query_api.http.metrics import RequestMetrics
from query_api.kafka_offsets import EndOffsets
from query_api.readers.versions import VersionReads
from query_api.seat_layouts import SeatLayouts
from query_api.settings import QueryApiSettings
from query_api.single_flight import SingleFlight
from query_api.views import ReadViews


@dataclass(slots=True)
class QueryState:
    """The pool, view descriptions, versions in memory, wake-up signal and body cache of one app instance."""

    settings: QueryApiSettings
    engine: AsyncEngine
    views: ReadViews
    versions: VersionReads
    tracker: VersionTracker
    signal: ProgressSignal
    listener: ProgressFeed
    cache: BodyCache
    database_role: str
    end_offsets: EndOffsets
    metrics: RequestMetrics
    flights: SingleFlight = field(default_factory=SingleFlight)
    builds: BuildCoalescer[tuple[str, bytes]] = field(default_factory=BuildCoalescer)
    dashboard: DashboardSections = field(default_factory=DashboardSections)
    layouts: SeatLayouts = field(default_factory=SeatLayouts)
