"""Composition root of the query API: ``create_app(settings)``.

The app reads only the read views and the projection registry, through an
async pool of the read-only role, and keeps one LISTEN connection that wakes
requests waiting for a consistency token.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from infra.http.metrics import RouteTiming
from infra.http.unexpected import UnexpectedErrors
from infra.settings import ApiKeySettings, ServiceSettings
from infra.telemetry import tracing
from infra.telemetry.asgi import FASTAPI_TELEMETRY_OFF, TraceRequests
from query_api.cache import BodyCache
from query_api.consistency import ProgressSignal, VersionTracker
from query_api.consistency.feed import progress_feed
from query_api.database import choose_url, create_engine
from query_api.http.errors import install_query_error_handlers
from query_api.http.fast import FastReads
from query_api.http.metrics import UNMATCHED, RequestMetrics
from query_api.http.roundtrips import CountRoundTrips
from query_api.kafka_offsets import EndOffsets
from query_api.readers.versions import VersionReads
from query_api.routes import asyncapi, dashboard, ops, projections, shows
from query_api.settings import QueryApiSettings
from query_api.state import QueryState
from query_api.views import read_views
from query_api.web.router import router as web_router

log = logging.getLogger(__name__)


def create_app(
    settings: QueryApiSettings | None = None,
    services: ServiceSettings | None = None,
    api_keys: ApiKeySettings | None = None,
) -> FastAPI:
    """Build the query API; connections are opened on startup and closed on shutdown."""
    settings = settings or QueryApiSettings()
    services = services or ServiceSettings()
    keys = api_keys or ApiKeySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = await choose_url(services)
        engine = create_engine(url, settings.pool_size)
        signal = ProgressSignal()
        tracker = VersionTracker(settings.read_schema)
        cache = BodyCache(settings.cache_bytes)
        # On a hot standby it listens on the primary and claims only what the standby replayed.
        listener = await progress_feed(
            url,
            services,
            settings,
            signal,
            tracker,
            on_swap=cache.clear,  # a replay's swap: nothing cached of the old version stays
        )
        listener.start()
        metrics.watch(tracker, cache)
        app.state.query = QueryState(
            settings=settings,
            engine=engine,
            views=read_views(settings.read_schema),
            versions=VersionReads(settings.read_schema),
            tracker=tracker,
            signal=signal,
            listener=listener,
            cache=cache,
            database_role=engine.url.username or "",
            end_offsets=EndOffsets(services.kafka_bootstrap_servers),
            metrics=metrics,
        )
        log.info("query API reading schema %s as role %s", settings.read_schema, engine.url.username)
        try:
            yield
        finally:
            await listener.stop()
            await app.state.query.end_offsets.close()
            await engine.dispose()

    app = FastAPI(
        title="boxoffice query API",
        version="1",
        summary="Read-only views of seat availability and sales, with read-your-writes tokens.",
        lifespan=lifespan,
        telemetry=FASTAPI_TELEMETRY_OFF,
    )
    registry = CollectorRegistry()
    metrics = RequestMetrics(registry)
    app.state.registry = registry
    app.state.api_keys = keys
    # inside the metrics: unchanged reads answered from memory, labelled with their routes
    app.add_middleware(FastReads, routes=[*shows.router.routes, *dashboard.router.routes])
    app.add_middleware(CountRoundTrips, histogram=metrics.roundtrips)  # the fast path's too
    app.add_middleware(RouteTiming, observer=metrics, unmatched=UNMATCHED)
    install_query_error_handlers(app)
    for module in (shows, dashboard, projections, ops, asyncapi):
        app.include_router(module.router)
    app.include_router(web_router)  # the live dashboard page; it reads the JSON routes above
    app.add_middleware(UnexpectedErrors)  # outermost of ours: nothing unexpected escapes as text/plain
    if tracing.on:  # outermost: a server span per request, continuing the caller's traceparent
        app.add_middleware(TraceRequests)
    return app
