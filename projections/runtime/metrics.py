"""Prometheus metrics of the projectors: lag in events and seconds, applied events, dead letters."""

from prometheus_client import Counter, Gauge, start_http_server

LAG_EVENTS = Gauge("boxoffice_projection_lag_events", "Events not yet applied", ["projection", "partition"])
LAG_SECONDS = Gauge(
    "boxoffice_projection_lag_seconds",
    "Age of the newest applied event while behind; 0 when caught up",
    ["projection"],
)
APPLIED = Counter(
    "boxoffice_projection_events_total", "Events consumed, by outcome", ["projection", "outcome"]
)
DEAD_LETTERS = Gauge("boxoffice_projection_dead_letters", "Dead letters of the version", ["projection"])
QUARANTINED = Gauge("boxoffice_projection_quarantined_shows", "Shows quarantined", ["projection"])


def serve(port: int) -> None:
    """Expose /metrics on ``port`` (a daemon thread)."""
    start_http_server(port)
