"""The command benchmark's latency floor and clock check: the arithmetic and the report lines, no I/O."""

import json
from typing import Any

import pytest

from benchmarks.commands.clock import STEP_TOLERANCE_S, ClockedRun
from benchmarks.commands.floor_summary import breakdown, summary
from benchmarks.commands.report import render
from benchmarks.wrk import WrkResult, parse_result
from tests.unit.test_bench_command_parts import RESULT, results


def wrk_run(seconds: float) -> WrkResult:
    return parse_result("WRK_RESULT " + json.dumps(RESULT | {"duration_us": int(seconds * 1e6)}), 4)


@pytest.mark.parametrize(
    ("wrk_seconds", "monotonic_s", "step_s", "stepped"),
    [
        (10.02, 10.05, 0.0, False),  # wrk starts after its process: a little less than passed
        (28.16, 10.1, 18.0, True),  # run 1b234eacc6's explicit-200-hot-c8
        (10.0, 10.1, -3.0, True),  # a step back shortens wrk's run and its latencies
        (10.0 + 2 * STEP_TOLERANCE_S, 10.0, 0.0, True),  # wrk counted time that did not pass
    ],
)
def test_a_run_is_stepped_when_the_wall_clock_left_the_monotonic_one(
    wrk_seconds: float, monotonic_s: float, step_s: float, stepped: bool
) -> None:
    run = ClockedRun(wrk_run(wrk_seconds), monotonic_s, step_s)
    assert run.stepped is stepped
    assert run.describe()["wall_step_s"] == step_s


FLOOR: dict[str, Any] = {
    "durability": "fsync=on, synchronous_commit=on",
    "round_trip": {"p50_ms": 0.2},
    "commit": {"p50_ms": 1.5, "cpu_ms": 1.2},
    "http": {"p50_ms": 0.25},
    "backend_cpu_ms": 3.0,
    "run_queue_wait_ms": 2.0,
    "hold_command": {"p50_ms": 7.0, "cpu_ms": 4.0},
    "hold_http": {"p50_ms": 7.5, "cpu_ms": 4.5},
    "load_1m": 1.5,
}


def test_the_bound_is_the_commits_wait_a_round_trip_and_both_cpus() -> None:
    parts = breakdown(FLOOR)

    # the commit floor's 1.5 ms less its own 1.2 ms of CPU, a round trip, 4.5 + 3.0 ms of CPU
    assert parts["commit_wait_ms"] == pytest.approx(0.3)
    assert parts["bound_ms"] == pytest.approx(0.3 + 0.2 + 4.5 + 3.0)
    assert parts["hold_over_bound"] == pytest.approx(7.5 / 8.0, abs=0.01)
    assert parts["http_layer_ms"] == pytest.approx(0.5)
    assert parts["command_work_ms"] == pytest.approx(7.0 - 1.5 - 0.2)
    assert parts["hold_over_commit"] == 5.0


def test_the_report_sets_the_floor_beside_wrks_one_client_holds() -> None:
    data = results(floor_rate=5000.0)
    for c in data["cases"]:
        if c["mode"] == "explicit" and c["connections"] == 1:
            c["p50_ms"] = 8.0
    floor = FLOOR | {"breakdown": breakdown(FLOOR)}
    data["latency_floor"] = floor

    text = render(data)

    assert "### One client against the latency floor" in text
    assert summary(floor) in text
    assert "p50 8.0-8.0 ms, 5.3-5.3x the commit floor and 1.00-1.00x the in-process hold's bound" in text
    assert "with one client: NOT met in process (7.5 ms). The hold's CPU alone" in text
    assert "PostgreSQL backend, is 7.50 ms (2.5x the target)" in text


def test_a_run_without_the_floor_reports_none() -> None:
    assert "latency floor" not in render(results(floor_rate=5000.0))


def test_cases_that_saw_a_clock_step_are_named() -> None:
    data = results(floor_rate=5000.0)
    data["cases"][3]["clock_steps"] = [{"wrk_seconds": 28.2, "monotonic_s": 10.1, "wall_step_s": 18.1}]

    text = render(data)

    assert f"the wall clock, which wrk times with, stepped during {data['cases'][3]['case']} (1x)" in text
