"""The Grafana dashboard of infra/monitoring: valid PromQL over catalogued metrics, covering what
operators watch."""

import json
from pathlib import Path
from typing import Any

from infra.monitoring.catalogue import CATALOGUE, series_names
from tests.support.promql_parse import parse, selectors

DASHBOARD = Path(__file__).resolve().parents[3] / "infra" / "monitoring" / "grafana" / "boxoffice.json"


def _panels() -> list[dict[str, Any]]:
    document = json.loads(DASHBOARD.read_text())
    panels: list[dict[str, Any]] = []
    for panel in document["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels", []))  # a collapsed row holds its panels
    return [p for p in panels if p["type"] != "row"]


def _metrics(panel: dict[str, Any]) -> set[str]:
    return {s.metric for target in panel["targets"] for s in selectors(parse(target["expr"]))}


def test_every_panel_queries_only_catalogued_metrics() -> None:
    known = series_names()
    for panel in _panels():
        assert panel["targets"], f"{panel['title']} has no query"
        for target in panel["targets"]:
            for selector in selectors(parse(target["expr"])):
                assert selector.metric in known, (
                    f"{panel['title']}: {selector.metric} is not in the catalogue"
                )


def test_panels_have_unique_ids_and_use_the_datasource_variable() -> None:
    document = json.loads(DASHBOARD.read_text())
    ids = [p["id"] for p in document["panels"]]
    assert len(ids) == len(set(ids))
    assert [v["name"] for v in document["templating"]["list"]] == ["datasource"]
    for panel in _panels():
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        assert len({t["refId"] for t in panel["targets"]}) == len(panel["targets"])


def test_the_dashboard_covers_what_operators_watch() -> None:
    by_title = {p["title"]: _metrics(p) for p in _panels()}
    wanted = {
        "Commands by outcome": "boxoffice_commands_total",
        "Command latency p99 by route": "boxoffice_command_request_seconds_bucket",
        "Outbox backlog (rows)": "boxoffice_outbox_backlog_rows",
        "Outbox backlog age": "boxoffice_outbox_backlog_age_seconds",
        "Publish latency (commit to ack)": "boxoffice_relay_publish_seconds_bucket",
        "Projection lag (seconds)": "boxoffice_projection_lag_seconds",
        "Dead letters and quarantined shows": "boxoffice_projection_dead_letters",
        "Body cache hit ratio": "boxoffice_query_cache_misses_total",
        "Consistency token waits": "boxoffice_query_token_waits_total",
        "Request latency p99 by route": "boxoffice_query_request_seconds_bucket",
    }
    for title, metric in wanted.items():
        assert metric in by_title.get(title, set()), f"panel {title!r} should chart {metric}"


def test_every_process_metric_is_charted() -> None:
    charted = {m for p in _panels() for m in _metrics(p)}
    for metric in CATALOGUE:
        if metric.process == "prometheus" or metric.name.startswith("boxoffice_query_version"):
            continue  # scrape health and the query API's internal resync gauges are not charted
        exposed = {metric.name + s for s in ("_bucket", "_count", "_sum")} | {metric.name}
        assert charted & exposed, f"{metric.name} is on no panel"
