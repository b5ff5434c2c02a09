"""Every Prometheus metric the boxoffice processes expose, by name as scraped.

The alert rules (``rules.yml``) and the Grafana dashboard (``grafana/boxoffice.json``)
may only reference these names; tests check both against :func:`series_names`.
A counter is listed with its ``_total`` suffix (prometheus_client adds it); a
histogram by its base name, which exposes ``_bucket``, ``_count`` and ``_sum``.
"""

from dataclasses import dataclass
from typing import Literal

Kind = Literal["counter", "gauge", "histogram"]
Process = Literal["command-api", "command-worker", "projector", "query-api", "prometheus"]


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    kind: Kind
    process: Process
    labels: tuple[str, ...] = ()


CATALOGUE: list[Metric] = [
    # command API (GET /metrics on its HTTP port, 8001)
    Metric("boxoffice_commands_total", "counter", "command-api", ("command", "outcome")),
    Metric("boxoffice_command_retries_total", "counter", "command-api", ("reason",)),
    Metric("boxoffice_idempotent_replays_total", "counter", "command-api"),
    Metric("boxoffice_one_statement_fallbacks_total", "counter", "command-api", ("command",)),
    Metric("boxoffice_command_request_seconds", "histogram", "command-api", ("method", "route", "status")),
    # command worker (--metrics-port, 9102 under `boxoffice up`)
    Metric("boxoffice_outbox_backlog_rows", "gauge", "command-worker"),
    Metric("boxoffice_outbox_backlog_age_seconds", "gauge", "command-worker"),
    Metric("boxoffice_relay_publish_seconds", "histogram", "command-worker"),
    Metric("boxoffice_relay_published_events_total", "counter", "command-worker"),
    Metric("boxoffice_relay_passes_total", "counter", "command-worker"),
    Metric("boxoffice_relay_leader", "gauge", "command-worker"),
    Metric("boxoffice_expiries_total", "counter", "command-worker", ("kind",)),
    # projector (--metrics-port, 9101)
    Metric("boxoffice_projection_lag_events", "gauge", "projector", ("projection", "partition")),
    Metric("boxoffice_projection_lag_seconds", "gauge", "projector", ("projection",)),
    Metric("boxoffice_projection_events_total", "counter", "projector", ("projection", "outcome")),
    Metric("boxoffice_projection_dead_letters", "gauge", "projector", ("projection",)),
    Metric("boxoffice_projection_quarantined_shows", "gauge", "projector", ("projection",)),
    Metric("boxoffice_projection_batch_events", "histogram", "projector", ("projection",)),
    Metric("boxoffice_projection_apply_seconds", "histogram", "projector", ("projection",)),
    # query API (GET /metrics on its HTTP port, 8002)
    Metric("boxoffice_query_request_seconds", "histogram", "query-api", ("method", "route")),
    Metric("boxoffice_query_requests_total", "counter", "query-api", ("method", "route", "status")),
    Metric("boxoffice_query_versions_in_memory", "gauge", "query-api"),
    Metric("boxoffice_query_version_resyncs", "gauge", "query-api"),
    Metric("boxoffice_query_cache_hits_total", "counter", "query-api"),
    Metric("boxoffice_query_cache_misses_total", "counter", "query-api"),
    Metric("boxoffice_query_cache_bytes", "gauge", "query-api"),
    Metric("boxoffice_query_db_roundtrips", "histogram", "query-api"),
    Metric("boxoffice_query_token_waits_total", "counter", "query-api", ("outcome",)),
    Metric("boxoffice_query_token_wait_seconds", "histogram", "query-api"),
    # written by Prometheus itself for every scrape target
    Metric("up", "gauge", "prometheus", ("job", "instance")),
]

_HISTOGRAM_SERIES = ("_bucket", "_count", "_sum")


def series_names() -> set[str]:
    """Every series name a scrape of the processes can hold (histograms expanded)."""
    names: set[str] = set()
    for metric in CATALOGUE:
        if metric.kind == "histogram":
            names.update(metric.name + suffix for suffix in _HISTOGRAM_SERIES)
        else:
            names.add(metric.name)
    return names
