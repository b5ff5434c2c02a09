"""The read benchmark in its quick mode against the real services: every section has figures and
nothing is left behind. No timing is asserted (figures are reports)."""

from pathlib import Path

import pytest

from benchmarks.reads.config import ENDPOINTS, ReadBenchOptions
from benchmarks.reads.run import run
from tests.integration.bench_support import assert_nothing_left_behind, quick_run

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(900)]


async def test_quick_run_has_figures_in_every_section(
    database_url: str, kafka_bootstrap: str, tmp_path: Path, wrk: str
) -> None:
    done = await quick_run(ReadBenchOptions, run, database_url, kafka_bootstrap, tmp_path)

    results = done.results
    closed = {(r["query_api_workers"], r["target"], r["endpoint"]): r for r in results["closed"]}
    wanted = [(1, t, e) for t in ("query_api", "baseline_cached") for e in ("healthz", *ENDPOINTS)]
    wanted += [(2, t, e) for t in ("query_api", "baseline_cached") for e in ("healthz", "availability")]
    assert sorted(closed) == sorted(wanted)
    for key in wanted:
        assert closed[key]["ok"] > 0, key
        assert closed[key]["other"] == 0, key
    assert results["open"]["ok"] > 0
    assert results["open"]["target_rate"] == done.options.open_rate
    [fresh] = results["freshness"]["read_model"]
    assert fresh["ok"] > 0
    assert [b["during"] for b in results["background"]] == ["(a) and (b)", "(d) 2 processes"]
    assert all(b["ok"] > 0 for b in results["background"])
    assert {(r["query_api_workers"], r["endpoint"]) for r in results["ratios"]} >= {(1, e) for e in ENDPOINTS}
    assert all(r["read_model_to_healthz"] and r["read_model_to_baseline"] for r in results["ratios"])

    lines = [line for line in done.report.splitlines() if line]
    assert lines[1].startswith("Durability: PostgreSQL" if done.durable else "**NOT DURABLE")
    assert lines[2].startswith("Floor: wrk -t1")
    for title in ("(a)", "(b)", "(c)", "(d)", "## Background holds"):
        assert title in done.report
    assert "n/a" not in done.report

    await assert_nothing_left_behind(database_url, kafka_bootstrap, results["meta"]["isolation"])
