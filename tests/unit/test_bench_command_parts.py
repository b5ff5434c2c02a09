"""The command benchmark's pure parts (wrk's command line and result line, durability, the report);
the run itself is tests/integration/test_bench_commands.py."""

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from benchmarks import cpu, environment, wrk_run
from benchmarks.commands import run as run_module
from benchmarks.commands.config import PLANS, CommandBenchOptions
from benchmarks.commands.durability import (
    Durability,
    NotDurableError,
    check_durability,
    durability_lines,
)
from benchmarks.commands.report import floor_check, floor_line, render, write_reports, zone_ratio
from benchmarks.wrk import SCRIPT, TIMEOUT_SECONDS, WrkError, not_accepted, parse_result, wrk_argv

RESULT = {
    "duration_us": 2_000_000,
    "requests": 300,
    "bytes": 12_345,
    "ok": 250,
    "conflicts": 40,
    "other": 10,
    "other_statuses": {"503": 10},
    "errors": {"connect": 0, "read": 1, "write": 0, "status": 50, "timeout": 0},
    "latency_us": {"p50": 1500, "p90": 4000, "p99": 9000, "max": 20000, "mean": 2100.5, "stdev": 800.0},
}


def test_parse_result_reads_the_line_among_wrks_own_output() -> None:
    output = (
        "Running 2s test @ http://x\n  1 threads\nWRK_RESULT " + json.dumps(RESULT) + "\nRequests/sec: 150\n"
    )

    result = parse_result(output, connections=8)

    assert (result.connections, result.seconds, result.requests) == (8, 2.0, 300)
    assert (result.ok, result.conflicts, result.other) == (250, 40, 10)
    assert result.other_statuses == {"503": 10}
    assert result.errors["read"] == 1
    assert (result.p50_ms, result.p99_ms, result.max_ms) == (1.5, 9.0, 20.0)
    assert (result.ok_per_s, result.requests_per_s) == (125.0, 150.0)


def test_not_accepted_counts_other_statuses_and_socket_errors_once() -> None:
    row = parse_result("WRK_RESULT " + json.dumps(RESULT), connections=8).as_dict()

    # 10 answers of another status, 1 read error; the 50 of wrk's "status" counter are 409s and others
    assert not_accepted(row) == 11


def test_parse_result_without_the_line_is_an_error() -> None:
    with pytest.raises(WrkError, match="no result line"):
        parse_result("unable to connect to 127.0.0.1:1 Connection refused\n", connections=1)


def test_wrk_argv_one_thread_script_headers_and_options() -> None:
    argv = wrk_argv(
        "/usr/bin/wrk",
        "http://127.0.0.1:9",
        connections=32,
        seconds=10,
        options={"mode": "best", "rows": 10},
        headers=["Authorization: Bearer k"],
    )

    assert argv[:4] == ["/usr/bin/wrk", "-t1", "-c32", "-d10s"]
    assert f"--timeout={TIMEOUT_SECONDS}s" in argv
    assert argv[argv.index("-s") + 1] == str(SCRIPT)
    assert argv[argv.index("-H") + 1] == "Authorization: Bearer k"
    url = argv.index("http://127.0.0.1:9")
    assert argv[url + 1 :] == ["--", "mode=best", "rows=10"]


def test_the_lua_script_exists_next_to_the_runner() -> None:
    """holds.lua, with the files it loads next to it (``dofile(here .. "x.lua")``), defines every
    callback wrk calls."""
    script = SCRIPT.read_text()
    loaded = re.findall(r'dofile\(here \.\. "([\w.]+)"\)', script)
    assert loaded, "holds.lua loads tally.lua"
    text = script + "".join(SCRIPT.with_name(name).read_text() for name in loaded)
    for callback in (
        "function setup(",
        "function init(",
        "function request(",
        "function response(",
        "function done(",
    ):
        assert callback in text


@pytest.mark.parametrize(
    ("fsync", "sync", "durable"),
    [("on", "on", True), ("off", "on", False), ("on", "off", False), ("on", "local", True)],
)
def test_durability(fsync: str, sync: str, durable: bool) -> None:
    d = Durability(fsync, sync)
    assert d.durable is durable
    if durable:
        check_durability(d, allow_non_durable=False)
        assert durability_lines(d)[0].startswith("Durability: PostgreSQL")
    else:
        with pytest.raises(NotDurableError, match="--allow-non-durable"):
            check_durability(d, allow_non_durable=False)
        check_durability(d, allow_non_durable=True)
        assert durability_lines(d)[0].startswith("**NOT DURABLE")


def test_quick_keeps_every_case_at_two_levels() -> None:
    options = CommandBenchOptions(out_dir=Path("x")).as_quick()
    cases = options.cases()
    assert options.quick
    assert options.levels == (1, 4)
    assert len(cases) == 2 * 2 * 2 * len(options.levels)  # modes x spreads x zone sizes x levels
    assert {c.plan.zone_seats for c in cases} == {200, 20_000}
    assert all(p.show_seats == 20_000 for p in PLANS)


def case(mode: str, spread: str, seats: int, connections: int, **figures: Any) -> dict[str, Any]:
    row = {
        "case": f"{mode}-{seats}-{spread}-c{connections}",
        "mode": mode,
        "spread": spread,
        "zone_seats": seats,
        "zones_per_show": 100 if seats == 200 else 1,
        "shows": 10 if spread == "spread" else 1,
        "fill_at_start": 0.01,
        "idle_wait_s": 0.5,
        "connections": connections,
        "seconds": 10.0,
        "requests": 1000,
        "ok": 1000,
        "conflicts": 0,
        "other": 0,
        "other_statuses": {},
        "errors": {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0},
        "p50_ms": 10.0,
        "p90_ms": 15.0,
        "p99_ms": 20.0,
        "max_ms": 30.0,
        "mean_ms": 11.0,
        "ok_per_s": 100.0,
        "requests_per_s": 100.0,
    }
    return row | figures


def floor_row(connections: int, rate: float) -> dict[str, Any]:
    return case("floor", "", 0, connections, path="/healthz", requests_per_s=rate, ok_per_s=rate)


def results(floor_rate: float = 1000.0, durable: bool = True) -> dict[str, Any]:
    cases = [
        case(mode, spread, seats, level, requests_per_s=100.0 * level, ok_per_s=90.0 * level)
        for spread in ("spread", "hot")
        for mode in ("explicit", "best")
        for level in (1, 4)
        for seats in (200, 20_000)
    ]
    for c in cases:
        if c["mode"] == "best" and c["connections"] == 1:
            c["p50_ms"] = 12.0 if c["zone_seats"] == 20_000 else 10.0
    setting = "on" if durable else "off"
    return {
        "cases": cases,
        "floor": [floor_row(1, floor_rate), floor_row(4, floor_rate)],
        "errors": {},
        "setup": {"seconds": 5.0, "projections_caught_up_after_s": 1.0, "show_creation": {"shows": 12}},
        "machine": {"cpu_cores": 2, "cpu_model": "test", "load_average_at_start": [0.1, 0.1, 0.1]},
        "durability": {
            "before": {"fsync": setting, "synchronous_commit": "on"},
            "after": {"fsync": setting, "synchronous_commit": "on"},
            "durable": durable,
            "allowed_non_durable": not durable,
        },
        "meta": {
            "run_id": "abc",
            "started_at": "2026-01-01T00:00:00+00:00",
            "duration_s": 60.0,
            "load_average_at_end": [0.2, 0.2, 0.2],
            "wrk": "wrk 4.1.0",
            "command_api_workers": 2,
            "levels": [1, 4],
            "seconds_per_case": 10,
            "spread_shows": 10,
            "max_fill": 0.25,
            "spread_refreshes": 0,
            "best_quantity": [1, 2],
            "plans": {p.key: p.describe() for p in PLANS},
            "source": {"commit": "1234567", "command_side_uncommitted": False},
        },
    }


def test_floor_check_compares_level_by_level() -> None:
    check = floor_check(results(floor_rate=1000.0))
    # the highest holds rate is 400 requests/s, at 4 connections: 2.5x under a floor of 1000
    assert check["highest_requests_per_s"] == 400.0
    assert [lv["ratio"] for lv in check["levels"]] == [10.0, 2.5]
    assert check["min_level_ratio"] == 2.5
    assert check["ok"] is False
    assert floor_line(check).startswith("WARNING: Generator floor:")

    check = floor_check(results(floor_rate=5000.0))
    assert check["ok"] is True
    assert floor_line(check).startswith("Generator floor:")


def test_zone_ratio_uses_best_available_at_the_lowest_level() -> None:
    ratio = zone_ratio(results())
    for spread in ("spread", "hot"):
        assert ratio[spread]["ratio"] == 1.2
        assert ratio[spread]["connections"] == 1
        assert ratio[spread]["met"] is True


def test_report_starts_with_durability_and_has_every_case(tmp_path: Path) -> None:
    data = results(floor_rate=5000.0)
    paths = write_reports(data, tmp_path)

    text = paths["markdown"].read_text()
    lines = text.splitlines()
    assert lines[0] == "# boxoffice command benchmark (wrk)"
    assert lines[2].startswith("Durability: PostgreSQL fsync=on, synchronous_commit=on")
    assert text.count("| explicit seat |") == 8
    assert text.count("| best available |") == 8
    assert "\nGenerator floor:" in text
    assert "**1.2x** (target <= 1.5x: met)" in text
    saved = json.loads(paths["json"].read_text())
    assert saved["checks"]["floor"]["ok"] is True


def test_non_durable_report_says_so_first() -> None:
    text = render(results(durable=False))
    assert text.splitlines()[2].startswith("**NOT DURABLE: PostgreSQL ran with fsync=off")


def test_many_409s_are_named_under_the_tables() -> None:
    data = results(floor_rate=5000.0)
    data["cases"][0] |= {"conflicts": 200, "ok": 800}
    assert f"Note: more than 5% of the answers were 409 in {data['cases'][0]['case']}" in render(data)


async def test_a_non_durable_server_is_refused_before_anything_is_created(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def must_not_run(*_: object) -> None:
        raise AssertionError("nothing may be created on a refused run")

    monkeypatch.setattr(wrk_run, "ensure_wrk", lambda install: "/usr/bin/wrk")
    monkeypatch.setattr(wrk_run, "read_durability", lambda url: Durability("on", "off"))
    monkeypatch.setattr(environment, "create_database", must_not_run)
    options = CommandBenchOptions(out_dir=tmp_path, database_url="postgresql://x@h/db", kafka_bootstrap="h:1")

    with pytest.raises(NotDurableError, match="synchronous_commit=off"):
        await run_module.run(options, progress=lambda _: None)
    assert not (tmp_path / "report.md").exists()


def test_cpu_per_hold_divides_each_component_and_sums_a_total() -> None:
    before = {"command-api": 1.0, "postgresql": 2.0}
    after = {"command-api": 1.5, "postgresql": 2.25}
    assert cpu.per_hold_ms(before, after, 250) == {"command-api": 2.0, "postgresql": 1.0, "total": 3.0}
    assert cpu.per_hold_ms(before, after, 0) == {}


def test_cpu_snapshot_counts_a_process_tree_that_works() -> None:
    first = cpu.snapshot({"me": os.getpid()})
    deadline = first["me"] + 0.05
    while cpu.snapshot({"me": os.getpid()})["me"] < deadline:
        sum(range(10_000))
    assert cpu.snapshot({"me": os.getpid()})["me"] >= deadline
    assert {"postgresql", "kafka"} <= first.keys()
