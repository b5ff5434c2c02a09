"""The hot best-available benchmark's pure figures: every backend counted, no division by zero."""

import math

from benchmarks.commands.case_watch import WatchedCase, spent_since
from benchmarks.commands.hot_figures import case_figures, holds_ratio


def test_a_backend_opened_during_the_case_counts_from_zero() -> None:
    assert spent_since({1: 2.0, 2: 5.0}, {1: 2.5, 2: 5.0, 3: 0.25}) == 0.75


def test_a_backend_gone_before_any_reading_counts_nothing() -> None:
    assert spent_since({1: 2.0, 2: 5.0}, {1: 3.0}) == 1.0


def test_a_watched_case_keeps_autovacuum_apart_from_the_client_backends() -> None:
    case = WatchedCase(start={1: 1.0}, latest={1: 1.5, 2: 0.5}, autovacuum_latest={9: 0.25})
    assert (case.backend_seconds(), case.autovacuum_seconds(), case.backends()) == (1.0, 0.25, 2)


def test_cpu_is_reported_per_accepted_hold_and_per_request() -> None:
    got = case_figures(
        accepted=100, requests=400, refused=250, wall=2.0, api_cpu=0.5, pg_cpu=0.8, fallbacks=10.0
    )
    assert got == {
        "holds_per_s": 50.0,
        "accepted": 100,
        "requests": 400,
        "refused": 250,
        "other": 50,
        "api_cpu_ms": 5.0,
        "pg_cpu_ms": 8.0,
        "pg_cpu_per_req_ms": 2.0,
        "fallbacks_per_hold": 0.1,
    }


def test_a_case_that_accepted_nothing_reports_no_cpu_per_hold() -> None:
    got = case_figures(accepted=0, requests=30, refused=30, wall=1.0, api_cpu=0.3, pg_cpu=0.3, fallbacks=0.0)
    assert got["holds_per_s"] == 0.0
    assert math.isnan(got["pg_cpu_ms"])
    assert math.isnan(got["api_cpu_ms"])
    assert got["pg_cpu_per_req_ms"] == 10.0


def test_the_ratio_of_a_run_without_small_zone_holds_is_not_a_number() -> None:
    assert holds_ratio(0.0, 120.0).startswith("n/a")
    assert holds_ratio(200.0, 150.0) == "0.75"
