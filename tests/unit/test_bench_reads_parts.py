"""The read benchmark's pure parts (paths, wrk command lines, options, ratios, the report); the run
itself is tests/integration/test_bench_reads.py, the Lua scripts tests/integration/test_bench_reads_wrk.py."""

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import typer

from benchmarks.reads.cli import _workers
from benchmarks.reads.config import ENDPOINTS, ReadBenchOptions
from benchmarks.reads.loads import (
    BACKGROUND_LIMIT_SECONDS,
    HOLDS_PACED_SCRIPT,
    READS_PACED_SCRIPT,
    READS_SCRIPT,
    holds_argv,
    reads_argv,
)
from benchmarks.reads.report import floor_line, ratios, readme_table, render, write_reports
from benchmarks.reads.run import query_api_name, read_paths
from benchmarks.wrk import parse_result

SHOWS = [UUID("11111111-1111-4111-8111-111111111111"), UUID("22222222-2222-4222-8222-222222222222")]


def test_the_lua_scripts_exist_next_to_holds_lua() -> None:
    for script in (READS_SCRIPT, READS_PACED_SCRIPT, HOLDS_PACED_SCRIPT):
        assert script.is_file()
    assert READS_PACED_SCRIPT.with_name("pacing.lua").is_file()


def test_read_paths() -> None:
    assert read_paths("dashboard", SHOWS) == ["/v1/dashboard"]
    assert read_paths("availability", SHOWS) == [f"/v1/shows/{s}/availability" for s in SHOWS]
    assert read_paths("seats", SHOWS[:1]) == [f"/v1/shows/{SHOWS[0]}/seats?format=compact"]
    assert query_api_name(1) == "query-api"
    assert query_api_name(2) == "query-api-w2"


def test_reads_argv_closed_and_paced() -> None:
    closed = reads_argv("wrk", "http://q", ["/a", "/b"], connections=8, seconds=10)
    assert closed[:4] == ["wrk", "-t1", "-c8", "-d10s"]
    assert closed[closed.index("-s") + 1] == str(READS_SCRIPT)
    assert closed[closed.index("-H") + 1] == "Authorization: Bearer bench-viewer-key"
    assert closed[-3:] == ["http://q", "--", "paths=/a,/b"]

    paced = reads_argv("wrk", "http://q", ["/a"], connections=20, seconds=10, rate=1000, auth=False)
    assert paced[paced.index("-s") + 1] == str(READS_PACED_SCRIPT)
    assert "-H" not in paced
    assert paced[-2:] == ["paths=/a", "rate=1000"]


def test_holds_argv_is_paced_best_available_of_one_seat() -> None:
    argv = holds_argv("wrk", "http://c", ["s1", "s2"], ["A", "B"], rate=100, connections=8, prefix="bg-r1-0")
    assert argv[argv.index("-s") + 1] == str(HOLDS_PACED_SCRIPT)
    assert f"-d{BACKGROUND_LIMIT_SECONDS}s" in argv
    assert argv[argv.index("-H") + 1] == "Authorization: Bearer bench-checkout-key"
    tail = argv[argv.index("--") + 1 :]
    assert tail == ["mode=best", "shows=s1,s2", "zones=A,B", "qmin=1", "qmax=1", "prefix=bg-r1-0", "rate=100"]


def test_reads_result_line_parses_like_holds() -> None:
    line = {
        "duration_us": 10_000_000, "requests": 50_000, "bytes": 1, "ok": 49_990, "conflicts": 0, "other": 10,
        "other_statuses": {"503": 10},
        "errors": {"connect": 0, "read": 0, "write": 0, "status": 10, "timeout": 0},
        "latency_us": {"p50": 1200, "p90": 2000, "p99": 5000, "max": 9000, "mean": 1300.0, "stdev": 1.0},
    }  # fmt: skip
    result = parse_result("noise\nWRK_RESULT " + json.dumps(line) + "\n", 8)
    assert (result.requests_per_s, result.ok_per_s, result.p99_ms) == (5000.0, 4999.0, 5.0)


def test_workers_option() -> None:
    assert _workers("1,2") == (1, 2)
    assert _workers("2") == (2,)
    for bad in ("", "0", "x"):
        with pytest.raises(typer.BadParameter):
            _workers(bad)


def test_quick_options_shrink_every_section(tmp_path: Path) -> None:
    full = ReadBenchOptions(out_dir=tmp_path)
    quick = full.as_quick()
    assert quick.quick
    assert not full.quick
    assert quick.orders < full.orders
    assert quick.seconds < full.seconds
    assert quick.query_workers == full.query_workers == (1, 2)
    assert quick.background_rate < full.background_rate
    assert quick.open_rate < full.open_rate


def _case(target: str, endpoint: str, rate: float, workers: int = 1) -> dict[str, Any]:
    return {
        "target": target, "endpoint": endpoint, "query_api_workers": workers, "paths": 4,
        "path_example": "/x", "load_1m_at_start": 1.0, "connections": 8, "seconds": 10.0,
        "requests": int(rate * 10), "ok": int(rate * 10), "conflicts": 0, "other": 0, "other_statuses": {},
        "errors": {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0},
        "p50_ms": 1.5, "p90_ms": 2.0, "p99_ms": 4.25, "max_ms": 9.0, "mean_ms": 1.6,
        "ok_per_s": rate, "requests_per_s": rate,
    }  # fmt: skip


def _results(durable: bool = True) -> dict[str, Any]:
    closed = [_case("query_api", "healthz", 2000.0), _case("baseline_cached", "healthz", 2500.0)]
    for endpoint, mine, theirs in (("availability", 5000.0, 2000.0), ("seats", 3000.0, 1000.0)):
        closed += [_case("query_api", endpoint, mine), _case("baseline_cached", endpoint, theirs)]
    closed.append(_case("baseline_cached", "dashboard", 1800.0))  # the read model's dashboard failed
    closed += [_case("query_api", "healthz", 4000.0, 2), _case("query_api", "availability", 4400.0, 2)]
    closed.append(_case("baseline_cached", "availability", 2200.0, 2))
    fsync = "on" if durable else "off"
    return {
        "closed": closed,
        "open": {**_case("query_api", "availability", 990.0), "target_rate": 1000.0, "connections": 20},
        "freshness": {
            "read_model": [{
                "target_rate": 200.0, "achieved_rate": 199.0, "ok": 1500, "failed": 3, "seconds": 15.0,
                "throughput": 100.0, "p50_ms": 20.0, "p99_ms": 80.0, "max_ms": 120.0, "mean_ms": 25.0,
                "outcomes": {"ok": 1500, "command 409": 3}, "command_p50_ms": 9.0,
            }],
            "baseline": {
                "availability": {"ttl_s": 60.0, "p50_s": 30.0, "p99_s": 59.4, "max_s": 60.0},
                "dashboard": {"ttl_s": 300.0, "p50_s": 150.0, "p99_s": 297.0, "max_s": 300.0},
            },
        },
        "background": [{"during": "(a) and (b)", "target_rate": 100.0, **_case("x", "holds", 99.0)}],
        "setup": {"orders": 20000, "events": 90000, "shows": 36, "hold_shows": 16, "freshness_shows": 8,
                  "read_shows": 32, "seconds": 60.0},
        "errors": {"closed": "WrkError: boom"},
        "machine": {"cpu_cores": 2, "cpu_model": "test", "load_average_at_start": [0.5, 0.5, 0.5]},
        "durability": {
            "before": {"fsync": fsync, "synchronous_commit": "on"}, "after": None,
            "durable": durable, "allowed_non_durable": not durable,
        },
        "meta": {
            "run_id": "abc", "started_at": "2026-01-01T00:00:00+00:00", "duration_s": 100.0,
            "load_average_at_end": [1.0, 1.0, 1.0], "wrk": "wrk 4.1.0", "source": {"commit": "1234567"},
            "options": {"background_rate": 100.0, "connections": 8, "seconds": 10, "query_workers": [1, 2],
                        "open_rate": 1000.0, "open_connections": 20, "freshness_rate": 200.0,
                        "freshness_seconds": 15.0, "command_workers": 2, "quick": False},
        },
    }  # fmt: skip


def test_ratios_to_the_floor_and_to_the_baseline() -> None:
    by = {(r["query_api_workers"], r["endpoint"]): r for r in ratios(_results())}
    availability = by[(1, "availability")]
    assert availability["read_model_to_healthz"] == 2.5
    assert availability["baseline_to_healthz"] == 0.8
    assert availability["read_model_to_baseline"] == 2.5
    assert by[(1, "seats")]["read_model_to_baseline"] == 3.0
    dashboard = by[(1, "dashboard")]
    assert dashboard["read_model_per_s"] is None
    assert dashboard["read_model_to_baseline"] is None
    assert by[(2, "availability")]["read_model_to_healthz"] == 1.1
    assert (2, "seats") not in by


def test_readme_table_has_one_row_per_read() -> None:
    text = readme_table(_results())
    lines = text.strip().splitlines()
    assert lines[0].startswith("| read | baseline cached")
    assert "| read model, fresh |" in lines[0]
    assert len(lines) == 2 + len(ENDPOINTS)
    assert (
        "| seat availability | 2,000/s, p50 1.5 ms, p99 4.25 ms | 5,000/s, p50 1.5 ms, p99 4.25 ms | 2.5x |"
        in text
    )
    assert "| sales dashboard | 1,800/s, p50 1.5 ms, p99 4.25 ms | n/a | n/a | n/a |" in text


@pytest.mark.parametrize("durable", [True, False])
def test_report_starts_with_durability_then_the_floor(durable: bool) -> None:
    lines = [line for line in render(_results(durable)).splitlines() if line]
    assert lines[0] == "# boxoffice read benchmark (wrk)"
    assert lines[1].startswith("Durability: PostgreSQL" if durable else "**NOT DURABLE")
    assert lines[2].startswith("Floor: wrk -t1 -c8 against the query API's constant `/healthz`")
    assert "2,000/s" in lines[2]
    assert "2,500/s" in lines[2]


def test_report_sections(tmp_path: Path) -> None:
    paths = write_reports(_results(), tmp_path)
    text = paths["markdown"].read_text()
    for title in ("## Reads while ~100 holds/s", "## Open loop: availability at 1000 req/s (b)",
                  "## Freshness at 200 holds/s (c)", "## Availability with more query API processes (d)",
                  "## Background holds", "## Errors", "coordinated omission"):  # fmt: skip
        assert title in text
    assert "| 1,000 | 990 | 99% | 20 |" in text
    assert "| 200 | 199 | 100 | 20.00 | 80.00 | 120 | 3 | 9.00 | command 409 3 |" in text
    stored = json.loads(paths["json"].read_text())
    assert {r["endpoint"] for r in stored["ratios"]} == set(ENDPOINTS)


def test_floor_line_when_not_measured() -> None:
    assert floor_line({"closed": []}).startswith("WARNING")
