"""The command benchmark in its quick mode against the real services: every case and the floor are
measured and reported, and nothing is left behind. No timing is asserted (figures are reports)."""

import json
from pathlib import Path

import psycopg
import pytest

from benchmarks.commands.config import CommandBenchOptions
from benchmarks.commands.durability import read_durability
from benchmarks.commands.run import run
from infra.db import libpq_dsn

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(900)]


async def test_quick_run_reports_every_case_and_the_floor(
    database_url: str, kafka_bootstrap: str, tmp_path: Path, wrk: str
) -> None:
    durable = read_durability(database_url).durable
    options = CommandBenchOptions(
        out_dir=tmp_path,
        database_url=database_url,
        kafka_bootstrap=kafka_bootstrap,
        allow_non_durable=not durable,  # a development server may run without fsync: say so, measure
    ).as_quick()

    paths, errors = await run(options, progress=lambda _: None)

    assert errors == {}
    results = json.loads(paths["json"].read_text())
    measured = {c["case"]: c for c in results["cases"]}
    wanted = [c.name for c in options.cases()]
    assert sorted(measured) == sorted(wanted)
    assert all(measured[name]["ok"] > 0 for name in wanted), "every case accepted holds"
    assert [f["connections"] for f in results["floor"]] == list(options.levels)
    assert all(f["ok"] > 0 for f in results["floor"])
    assert set(results["checks"]["best_zone_ratio"]) >= {"spread", "hot"}

    report = paths["markdown"].read_text()
    first = report.splitlines()[2]
    assert first.startswith("Durability: PostgreSQL" if durable else "**NOT DURABLE")
    assert "Generator floor: wrk against the command API's constant `/healthz`" in report
    for title in ("### Spread", "### Hot", "### Best available", "### Generator floor"):
        assert title in report
    assert report.count("| explicit seat |") == report.count("| best available |") == len(wanted) // 2

    with psycopg.connect(libpq_dsn(database_url)) as conn:
        left = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (results["meta"]["isolation"]["database"],)
        ).fetchone()
    assert left is None, "the private database was not dropped"
