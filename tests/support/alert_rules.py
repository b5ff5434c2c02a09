"""Prometheus alert rules evaluated in Python, against the cases of a ``promtool test rules`` file.

Reads rules files and promtool's unit-test files (its series notation:
``a+bxn``, ``a-bxn``, ``axn``, ``_``, ``_xn``) and decides which alerts fire
at a time the way the rule manager does: the rule is evaluated every
evaluation interval from time 0; an alert becomes active at the first
evaluation its label set appears in, is reset by an evaluation it is missing
from, and fires once it has been active for the rule's ``for``.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.support.promql_eval import Evaluator, Series
from tests.support.promql_parse import Expr, Selector, duration_seconds, parse


@dataclass(frozen=True, slots=True)
class AlertRule:
    name: str
    expr: str
    for_seconds: float
    labels: dict[str, str]
    annotations: dict[str, str]

    @property
    def tree(self) -> Expr:
        return parse(self.expr)


def load_rules(path: Path) -> list[AlertRule]:
    """Every alerting rule of a rules file, in file order."""
    document = yaml.safe_load(path.read_text())
    return [
        AlertRule(
            name=rule["alert"],
            expr=rule["expr"],
            for_seconds=duration_seconds(rule["for"]) if "for" in rule else 0.0,
            labels=dict(rule.get("labels", {})),
            annotations=dict(rule.get("annotations", {})),
        )
        for group in document["groups"]
        for rule in group["rules"]
        if "alert" in rule
    ]


def expand_values(notation: str) -> list[float | None]:
    """promtool's series notation as one value (or None: no sample) per interval."""
    values: list[float | None] = []
    for term in notation.split():
        match = re.fullmatch(r"(_|-?[\d.]+)(?:([+-][\d.]+)?x(\d+))?", term)
        if match is None:
            raise ValueError(f"unsupported series notation {term!r}")
        start, step, times = match.groups()
        if times is None:
            values.append(None if start == "_" else float(start))
        elif start == "_":
            values.extend([None] * int(times))
        else:
            increment = float(step or 0)
            values.extend(float(start) + increment * i for i in range(int(times) + 1))
    return values


def series_of(input_series: list[dict[str, str]], interval: float) -> list[Series]:
    """The synthetic series of a promtool test case."""
    out: list[Series] = []
    for item in input_series:
        selector = parse(item["series"])
        if not isinstance(selector, Selector):
            raise ValueError(f"not a series: {item['series']}")
        labels = frozenset([("__name__", selector.metric)] + [(m.label, m.value) for m in selector.matchers])
        samples = tuple(
            (i * interval, v) for i, v in enumerate(expand_values(item["values"])) if v is not None
        )
        out.append(Series(labels, samples))
    return out


def firing(
    rule: AlertRule, series: list[Series], at: float, evaluation_interval: float
) -> list[dict[str, str]]:
    """The label sets of ``rule``'s alerts firing at ``at`` (alertname and rule labels included)."""
    evaluator, tree = Evaluator(series), rule.tree
    active_since: dict[frozenset[tuple[str, str]], float] = {}
    steps = round(at / evaluation_interval)
    for step in range(steps + 1):
        now = step * evaluation_interval
        result = evaluator.instant(tree, now)
        if not isinstance(result, dict):
            raise ValueError(f"{rule.name}: the expression is a scalar")
        present = {frozenset((k, v) for k, v in labels if k != "__name__") for labels in result}
        active_since = {key: active_since.get(key, now) for key in present}
    return [
        {**dict(key), **rule.labels, "alertname": rule.name}
        for key, since in active_since.items()
        if at - since >= rule.for_seconds
    ]


def promtool_cases(path: Path) -> list[dict[str, Any]]:
    """The test groups of a promtool unit-test file, each with its rules' evaluation interval."""
    document = yaml.safe_load(path.read_text())
    default = duration_seconds(document.get("evaluation_interval", "1m"))
    return [
        {**group, "evaluation_interval_seconds": default, "rule_files": document["rule_files"]}
        for group in document["tests"]
    ]
