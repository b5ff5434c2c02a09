"""The alert rules of infra/monitoring: complete, over catalogued metrics, and firing exactly when
their cases say.

The cases are those of ``rules_test.yml`` (promtool's unit-test file), evaluated
here by ``tests.support.alert_rules``; mutating a rule's threshold must break
at least one case, so the cases pin the thresholds down.
"""

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.monitoring.catalogue import series_names
from tests.support.alert_rules import AlertRule, firing, load_rules, promtool_cases, series_of
from tests.support.promql_eval import evaluate
from tests.support.promql_parse import duration_seconds, parse, selectors

MONITORING = Path(__file__).resolve().parents[3] / "infra" / "monitoring"
RULES = load_rules(MONITORING / "rules.yml")
CASES = promtool_cases(MONITORING / "rules_test.yml")
RAW = {
    rule["alert"]: rule
    for group in yaml.safe_load((MONITORING / "rules.yml").read_text())["groups"]
    for rule in group["rules"]
}
REQUIRED = {
    "BoxofficeOutboxBacklogStale": "boxoffice_outbox_backlog_age_seconds",
    "BoxofficeProjectionLagging": "boxoffice_projection_lag_seconds",
    "BoxofficeDeadLetters": "boxoffice_projection_events_total",
    "BoxofficeNoRelayLeader": "boxoffice_relay_leader",
    "BoxofficeCommandApiErrors": "boxoffice_command_request_seconds_count",
    "BoxofficeQueryApiErrors": "boxoffice_query_requests_total",
}


def _checks() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(case, check) for case in CASES for check in case["alert_rule_test"]]


def _failures(rules: list[AlertRule]) -> list[str]:
    """Every case whose expected alerts differ from what ``rules`` fire."""
    by_name = {rule.name: rule for rule in rules}
    failures = []
    for case, check in _checks():
        series = series_of(case["input_series"], duration_seconds(case["interval"]))
        at = duration_seconds(check["eval_time"])
        got = firing(by_name[check["alertname"]], series, at, case["evaluation_interval_seconds"])
        want = [
            {**{k: str(v) for k, v in alert.get("exp_labels", {}).items()}, "alertname": check["alertname"]}
            for alert in check["exp_alerts"]
        ]
        if sorted(map(sorted, (a.items() for a in got))) != sorted(map(sorted, (a.items() for a in want))):
            failures.append(f"{check['alertname']} at {check['eval_time']}: got {got}, want {want}")
    return failures


def test_the_operator_alerts_exist_over_their_metrics() -> None:
    names = {rule.name: rule for rule in RULES}
    for alert, metric in REQUIRED.items():
        assert alert in names, f"missing alert {alert}"
        assert metric in {s.metric for s in selectors(names[alert].tree)}


def test_each_rule_has_for_severity_and_annotations_with_a_runbook_hint() -> None:
    for rule in RULES:
        assert "for" in RAW[rule.name], f"{rule.name} has no for:"
        assert rule.labels.get("severity") in ("critical", "warning"), rule.name
        assert {"summary", "description", "runbook"} <= set(rule.annotations), rule.name
        assert "`boxoffice " in rule.annotations["runbook"], f"{rule.name}: name the command to run"


def test_every_rule_references_only_catalogued_metrics() -> None:
    known = series_names()
    for rule in RULES:
        for selector in selectors(rule.tree):
            assert selector.metric in known, f"{rule.name}: {selector.metric} is not in the catalogue"


def test_every_rule_has_a_firing_and_a_quiet_case() -> None:
    for rule in RULES:
        checks = [check for _, check in _checks() if check["alertname"] == rule.name]
        assert any(check["exp_alerts"] for check in checks), f"{rule.name} never fires in a case"
        assert any(not check["exp_alerts"] for check in checks), f"{rule.name} is never quiet in a case"


def test_the_rules_fire_exactly_as_the_cases_expect() -> None:
    assert _failures(RULES) == []


@pytest.mark.parametrize("rule", [r for r in RULES if re.search(r"> [\d.]+$", r.expr)], ids=lambda r: r.name)
def test_a_wrong_threshold_breaks_a_case(rule: AlertRule) -> None:
    threshold = float(re.findall(r"> ([\d.]+)$", rule.expr)[0])
    for wrong in (threshold * 10 + 1, -1.0):
        mutated = replace(rule, expr=re.sub(r"> [\d.]+$", f"> {wrong}", rule.expr))
        others = [r for r in RULES if r.name != rule.name]
        assert any(rule.name in f for f in _failures([*others, mutated])), f"threshold {wrong} passes"


def test_a_rule_without_its_for_fires_too_early() -> None:
    for rule in RULES:
        if rule.for_seconds:
            hasty = replace(rule, for_seconds=0.0)
            others = [r for r in RULES if r.name != rule.name]
            assert any(rule.name in f for f in _failures([*others, hasty])), rule.name


def test_backlog_age_fires_for_200_seconds_and_not_for_5() -> None:
    (rule,) = [r for r in RULES if r.name == "BoxofficeOutboxBacklogStale"]
    for age, fires in ((200, True), (5, False)):
        series = series_of([{"series": "boxoffice_outbox_backlog_age_seconds", "values": f"{age}x10"}], 60)
        assert bool(firing(rule, series, 600, 60)) is fires


def test_the_evaluator_follows_prometheus_rate_and_absent() -> None:
    counter = series_of([{"series": 'c_total{a="1"}', "values": "0+60x10 0+60x10"}], 60)
    # 60 per minute, restarting from 0 at 11m: the minute before the first sample after the reset is
    # lost, as in Prometheus (240 counted over 5 minutes: 0.8/s).
    for minute, per_second in ((5, 1.0), (10, 1.0), (15, 0.8)):
        assert evaluate(parse("sum(rate(c_total[5m]))"), counter, minute * 60) == {frozenset(): per_second}
    assert evaluate(parse('absent(c_total{a="2"})'), counter, 60) == {frozenset({("a", "2")}): 1.0}
    assert evaluate(parse("absent(c_total)"), counter, 60) == {}
