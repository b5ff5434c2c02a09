"""Prometheus request metrics of the query API, labelled by route template (never by raw path).

Timed by ``infra.http.metrics.RouteTiming`` (``UNMATCHED`` for a request no route matched).
"""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from query_api.consistency.tracker import VersionTracker

UNMATCHED = "<unmatched>"
# Fine buckets at the low end: the targets are single-digit milliseconds.
_BUCKETS = (0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


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

    def watch(self, tracker: VersionTracker) -> None:
        """Report this tracker in the versions gauges (the app's tracker, set at startup)."""
        self._tracker = tracker
