"""The command benchmark in its quick mode against the real services: every case and the floor are
measured and reported, and nothing is left behind. No timing is asserted (figures are reports)."""

from pathlib import Path

import pytest

from benchmarks.commands.config import CommandBenchOptions
from benchmarks.commands.run import run
from tests.integration.bench_support import assert_nothing_left_behind, quick_run

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(900)]


async def test_quick_run_reports_every_case_and_the_floor(
    database_url: str, kafka_bootstrap: str, tmp_path: Path, wrk: str
) -> None:
    done = await quick_run(CommandBenchOptions, run, database_url, kafka_bootstrap, tmp_path)

    results, options = done.results, done.options
    measured = {c["case"]: c for c in results["cases"]}
    wanted = [c.name for c in options.cases()]
    assert sorted(measured) == sorted(wanted)
    assert all(measured[name]["ok"] > 0 for name in wanted), "every case accepted holds"
    assert [f["connections"] for f in results["floor"]] == list(options.levels)
    assert all(f["ok"] > 0 for f in results["floor"])
    assert set(results["checks"]["best_zone_ratio"]) >= {"spread", "hot"}

    report = done.report
    first = report.splitlines()[2]
    assert first.startswith("Durability: PostgreSQL" if done.durable else "**NOT DURABLE")
    assert "Generator floor: wrk against the command API's constant `/healthz`" in report
    for title in ("### Spread", "### Hot", "### Best available", "### Generator floor"):
        assert title in report
    assert report.count("| explicit seat |") == report.count("| best available |") == len(wanted) // 2

    await assert_nothing_left_behind(database_url, kafka_bootstrap, results["meta"]["isolation"])
