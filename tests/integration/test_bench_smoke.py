"""The benchmark harness at its tiny scale: every measurement runs and every report is written.

Figures are not checked (they are reports, not assertions); what is checked is
that each section exists with rows for every design, the plots are PNGs, and
the run left nothing behind in the shared services.
"""

import json
from pathlib import Path

import pytest

from benchmarks.config import SCALES, BenchOptions
from benchmarks.report.markdown import SECTIONS
from benchmarks.runner import run
from benchmarks.scenarios.endpoints import DESIGNS, ENDPOINTS, FILTERED
from tests.integration.bench_support import assert_nothing_left_behind

pytestmark = pytest.mark.integration
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def test_tiny_run_writes_every_section(database_url: str, kafka_bootstrap: str, tmp_path: Path) -> None:
    scale = SCALES["tiny"]
    options = BenchOptions(scale, tmp_path, database_url=database_url, kafka_bootstrap=kafka_bootstrap)

    paths, errors = await run(options, progress=lambda _: None)

    assert errors == {}

    report = paths["markdown"].read_text()
    for section in SECTIONS:
        assert f"\n## {section}\n" in report, f"section {section} missing"
    results = json.loads(paths["json"].read_text())
    measured = {(r["orders"], r["endpoint"], r["design"]) for r in results["reads"] if r["ok"] > 0}
    wanted = {(o, e, d) for o in scale.order_steps for e in ENDPOINTS for d in DESIGNS}
    wanted |= {(o, e, "read_model") for o in scale.order_steps for e in FILTERED}
    assert measured == wanted
    assert [d["orders"] for d in results["data"]] == list(scale.order_steps)
    # Both designs gave the same answers at every step before being timed.
    assert [(e["orders"], e["differences"], e["examples"]) for e in results["equivalence"]] == [
        (orders, 0, []) for orders in scale.order_steps
    ]
    assert {f["name"] for f in results["floors"]} == {"constant", "primary_key"}
    assert results["freshness"]["read_model"]
    assert all(r["ok"] > 0 for r in results["freshness"]["read_model"])
    assert {(c["scenario"], c["concurrency"]) for c in results["commands"] if c["ok"] > 0} == {
        (s, level) for s in ("spread", "hot") for level in scale.command_levels
    }
    # The replay read the whole private topic: the bulk load and what the relay published for the commands.
    holds = sum(c["ok"] for c in results["commands"]) + sum(
        r["ok"] for r in results["freshness"]["read_model"]
    )
    assert results["replay"]["events"] >= results["data"][-1]["events"] + holds
    for name in ("scale", "reads", "commands"):
        assert paths[name].read_bytes().startswith(PNG_MAGIC)

    await assert_nothing_left_behind(database_url, kafka_bootstrap, results["meta"]["isolation"])
