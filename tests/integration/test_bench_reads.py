"""The read benchmark in its quick mode against the real services: every section has figures and
nothing is left behind. No timing is asserted (figures are reports)."""

import json
from pathlib import Path

import psycopg
import pytest

from benchmarks.commands.durability import read_durability
from benchmarks.reads.config import ENDPOINTS, ReadBenchOptions
from benchmarks.reads.run import run
from infra.db import libpq_dsn

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(900)]


async def test_quick_run_has_figures_in_every_section(
    database_url: str, kafka_bootstrap: str, tmp_path: Path, wrk: str
) -> None:
    durable = read_durability(database_url).durable
    options = ReadBenchOptions(
        out_dir=tmp_path,
        database_url=database_url,
        kafka_bootstrap=kafka_bootstrap,
        allow_non_durable=not durable,  # a development server may run without fsync: say so, measure
    ).as_quick()

    paths, errors = await run(options, progress=lambda _: None)

    assert errors == {}
    results = json.loads(paths["json"].read_text())
    closed = {(r["query_api_workers"], r["target"], r["endpoint"]): r for r in results["closed"]}
    wanted = [(1, t, e) for t in ("query_api", "baseline_cached") for e in ("healthz", *ENDPOINTS)]
    wanted += [(2, t, e) for t in ("query_api", "baseline_cached") for e in ("healthz", "availability")]
    assert sorted(closed) == sorted(wanted)
    for key in wanted:
        assert closed[key]["ok"] > 0, key
        assert closed[key]["other"] == 0, key
    assert results["open"]["ok"] > 0
    assert results["open"]["target_rate"] == options.open_rate
    [fresh] = results["freshness"]["read_model"]
    assert fresh["ok"] > 0
    assert [b["during"] for b in results["background"]] == ["(a) and (b)", "(d) 2 processes"]
    assert all(b["ok"] > 0 for b in results["background"])
    assert {(r["query_api_workers"], r["endpoint"]) for r in results["ratios"]} >= {(1, e) for e in ENDPOINTS}
    assert all(r["read_model_to_healthz"] and r["read_model_to_baseline"] for r in results["ratios"])

    report = paths["markdown"].read_text()
    lines = [line for line in report.splitlines() if line]
    assert lines[1].startswith("Durability: PostgreSQL" if durable else "**NOT DURABLE")
    assert lines[2].startswith("Floor: wrk -t1")
    for title in ("(a)", "(b)", "(c)", "(d)", "## Background holds"):
        assert title in report
    assert "n/a" not in report

    with psycopg.connect(libpq_dsn(database_url)) as conn:
        left = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (results["meta"]["isolation"]["database"],)
        ).fetchone()
    assert left is None, "the private database was not dropped"
