"""Prometheus metrics of the query API: requests labelled by route template (never by raw path),
the body cache, database round trips per request, consistency-token waits.

Timed by ``infra.http.metrics.RouteTiming`` (``UNMATCHED`` for a request no route matched);
round trips counted by ``roundtrips.CountRoundTrips``. Nothing here builds a label set per
request: children are bound once, the cache's counts are read at scrape time.
"""

from collections.abc import Iterator
from typing import Literal

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from query_api.cache import BodyCache
from query_api.consistency.tracker import VersionTracker

UNMATCHED = "<unmatched>"
# Fine buckets at the low end: the targets are single-digit milliseconds.
_BUCKETS = (0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_ROUNDTRIP_BUCKETS = (0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 50)
_WAIT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
TokenWait = Literal["immediate", "waited", "timeout"]


class _CacheCounts(Collector):
    """The body cache's hits, misses and bytes, read from the app's ``BodyCache`` when scraped."""

    def __init__(self) -> None:
        self.cache: BodyCache | None = None

    def describe(self) -> Iterator[Metric]:
        return self._families(0, 0, 0)

    def collect(self) -> Iterator[Metric]:
        cache = self.cache
        if cache is None:
            return self._families(0, 0, 0)
        return self._families(cache.hits, cache.misses, cache.size_bytes)

    @staticmethod
    def _families(hits: int, misses: int, size: int) -> Iterator[Metric]:
        yield CounterMetricFamily(
            "boxoffice_query_cache_hits", "Answers served from the body cache.", value=hits
        )
        yield CounterMetricFamily(
            "boxoffice_query_cache_misses", "Bodies built from the database for the cache.", value=misses
        )
        yield GaugeMetricFamily("boxoffice_query_cache_bytes", "Bytes of bodies in the cache.", value=size)


class RequestMetrics:
    """Latency histogram and request counter of one app, in the app's own registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.latency = Histogram(
            "boxoffice_query_request_seconds",
            "Query API request latency by route template.",
            ["method", "route"],
            buckets=_BUCKETS,
            registry=registry,
        )
        self.requests = Counter(
            "boxoffice_query_requests",
            "Query API requests by route template and status.",
            ["method", "route", "status"],
            registry=registry,
        )
        # Labelled children by (method, route[, status]): the label lookup is not redone per request.
        self._latency: dict[tuple[str, str], Histogram] = {}
        self._requests: dict[tuple[str, str, int], Counter] = {}
        self._tracker: VersionTracker | None = None
        in_memory = Gauge(
            "boxoffice_query_versions_in_memory",
            "1 while versions and watermarks are served from memory (LISTEN connected and re-read).",
            registry=registry,
        )
        in_memory.set_function(lambda: 1.0 if self._tracker is not None and self._tracker.synced else 0.0)
        resyncs = Gauge(
            "boxoffice_query_version_resyncs", "Full re-reads of versions and watermarks.", registry=registry
        )
        resyncs.set_function(lambda: float(self._tracker.resyncs) if self._tracker is not None else 0.0)
        self._cache = _CacheCounts()
        registry.register(self._cache)
        self.roundtrips = Histogram(
            "boxoffice_query_db_roundtrips",
            "Database round trips per request (statements, BEGIN, COMMIT/ROLLBACK); 0 from memory.",
            buckets=_ROUNDTRIP_BUCKETS,
            registry=registry,
        )
        waits = Counter(
            "boxoffice_query_token_waits",
            "Reads with a consistency token: satisfied on arrival (immediate), after waiting (waited), "
            "or 503 projection_behind (timeout).",
            ["outcome"],
            registry=registry,
        )
        self._waits: dict[TokenWait, Counter] = {
            o: waits.labels(o) for o in ("immediate", "waited", "timeout")
        }
        self.token_wait_seconds = Histogram(
            "boxoffice_query_token_wait_seconds",
            "How long reads waited for their consistency token (outcomes waited and timeout).",
            buckets=_WAIT_BUCKETS,
            registry=registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        latency = self._latency.get((method, route))
        if latency is None:
            latency = self._latency[(method, route)] = self.latency.labels(method, route)
        counter = self._requests.get((method, route, status))
        if counter is None:
            counter = self._requests[(method, route, status)] = self.requests.labels(
                method, route, str(status)
            )
        latency.observe(seconds)
        counter.inc()

    def watch(self, tracker: VersionTracker, cache: BodyCache) -> None:
        """Report this tracker in the versions gauges and this cache in the cache metrics (the app's,
        set at startup)."""
        self._tracker = tracker
        self._cache.cache = cache

    def token_wait(self, outcome: TokenWait, seconds: float | None = None) -> None:
        """One read's consistency token: how it ended and, when it waited, for how long."""
        self._waits[outcome].inc()
        if seconds is not None:
            self.token_wait_seconds.observe(seconds)
