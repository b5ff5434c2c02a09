"""The metric catalogue of infra/monitoring matches the metrics the processes' code registers.

Read from the source (no process started): every ``Counter``/``Gauge``/``Histogram``
(or collector ``*MetricFamily``) named ``boxoffice_*`` in the sides, as scraped
(prometheus_client adds ``_total`` to counters), must be catalogued with its
kind, and every catalogued metric must be registered somewhere.
"""

import ast
from pathlib import Path

from infra.monitoring.catalogue import CATALOGUE

ROOT = Path(__file__).resolve().parents[3]
SIDES = ("command_side", "projections", "query_api")
KINDS = {
    "Counter": "counter",
    "CounterMetricFamily": "counter",
    "Gauge": "gauge",
    "GaugeMetricFamily": "gauge",
    "Histogram": "histogram",
    "HistogramMetricFamily": "histogram",
}


def _registered() -> dict[str, str]:
    """Scraped name -> kind of every boxoffice metric the sides' code defines."""
    found: dict[str, str] = {}
    for side in SIDES:
        for path in (ROOT / side).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                first = node.args[0]
                if name not in KINDS or not isinstance(first, ast.Constant):
                    continue
                if not isinstance(first.value, str) or not first.value.startswith("boxoffice_"):
                    continue
                kind = KINDS[name]
                scraped = first.value
                if kind == "counter" and not scraped.endswith("_total"):
                    scraped += "_total"
                found[scraped] = kind
    return found


def test_every_registered_metric_is_catalogued_with_its_kind() -> None:
    catalogued = {m.name: m.kind for m in CATALOGUE}
    for name, kind in _registered().items():
        assert catalogued.get(name) == kind, f"{name} ({kind}) is not in infra/monitoring/catalogue.py"


def test_every_catalogued_metric_is_registered() -> None:
    registered = _registered()
    for metric in CATALOGUE:
        if metric.process != "prometheus":
            assert metric.name in registered, f"{metric.name} is catalogued but no process defines it"
