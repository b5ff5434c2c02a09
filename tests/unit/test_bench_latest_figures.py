"""docs/performance.md's "Latest figures" is generated from the committed report and cannot drift.

The section between the markers must be exactly what ``benchmarks.report.latest``
renders from docs/bench/small-latest.md; the parser must keep up with the report
renderer (``benchmarks.report.markdown``), which the round trips below pin.
"""

from pathlib import Path
from typing import Any

import pytest

from benchmarks.report.latest import (
    BEGIN,
    END,
    ReportFormatError,
    parse_report,
    render_latest,
    replace_section,
)
from benchmarks.report.markdown import render
from benchmarks.report.publish import ROOT, SOURCE, check, copy_run, generated_section, publish


def summary(**figures: Any) -> dict[str, Any]:
    return {"p50_ms": 1.0, "p99_ms": 2.0, "max_ms": 3.0, "throughput": 100.0, "ok": 10, "failed": 0} | figures


def results(errors: dict[str, str] | None = None, **overrides: Any) -> dict[str, Any]:
    """A complete results dict, as benchmarks.runner builds it, with figures easy to recognise."""
    reads = []
    for orders, cold_dashboard in ((10_000, 216.4), (100_000, 2_056.3)):
        for endpoint in ("availability", "seats", "dashboard"):
            for design, usual in (("baseline_cold", 21.98), ("baseline_cached", 5.61), ("read_model", 12.79)):
                p50 = cold_dashboard if (endpoint, design) == ("dashboard", "baseline_cold") else usual
                reads.append(
                    {"orders": orders, "endpoint": endpoint, "design": design, "concurrency": 8}
                    | summary(p50_ms=p50, p99_ms=p50 * 2, throughput=1000 / p50)
                )
    base: dict[str, Any] = {
        "meta": {
            "scale": "small",
            "run_id": "abc1234567",
            "started_at": "2030-01-02T03:04:05+00:00",
            "duration_s": 301.5,
            "load_average_at_end": [2.0, 1.5, 1.0],
            "isolation": {
                "database": "boxoffice_bench_abc",
                "topic": "t",
                "dead_letter_topic": "t.dlq",
                "projection_registry_prefix": "benchabc",
                "kept": False,
            },
        },
        "machine": {
            "cpu_cores": 2,
            "cpu_model": "Test CPU",
            "memory_gib": 8,
            "load_average_at_start": [0.25, 0.5, 0.75],
            "os": "Linux",
            "python": "3.11",
            "postgresql": {
                "server_version": "15",
                "fsync": "off",
                "synchronous_commit": "off",
                "shared_buffers": "128MB",
            },
            "kafka": "1 broker",
            "packages": {"fastapi": "1"},
        },
        "data": [
            {
                "orders": 10_000,
                "shows": 18,
                "events": 32_000,
                "generate_s": 1.0,
                "copy_s": 1.0,
                "publish_s": 1.0,
                "caught_up_after_load_s": 4.0,
                "projection_events_per_s": 4_000.0,
            }
        ],
        "floors": [
            {"name": "constant", "concurrency": 8} | summary(p50_ms=5.53),
            {"name": "primary_key", "concurrency": 8} | summary(p50_ms=8.63),
        ],
        "reads": reads,
        "equivalence": [
            {
                "orders": o,
                "compared": {"availability": 5, "seats": 5, "dashboard": 1},
                "differences": 0,
                "examples": [],
            }
            for o in (10_000, 100_000)
        ],
        "commands": [
            {"scenario": s, "concurrency": c, "outcomes": {"ok": 600}} | summary(throughput=t)
            for s, c, t in (("spread", 1, 121.0), ("spread", 4, 134.2), ("hot", 1, 69.3), ("hot", 4, 107.1))
        ],
        "freshness": {
            "read_model": [
                {
                    "target_rate": 26.8,
                    "achieved_rate": 26.9,
                    "command_p50_ms": 7.0,
                    "p50_ms": 17.85,
                    "p99_ms": 28.47,
                    "max_ms": 32.0,
                    "ok": 403,
                    "outcomes": {"ok": 403},
                },
            ],
            "baseline": {
                "availability": {"ttl_s": 60.0, "p50_s": 30.0, "p99_s": 59.4, "max_s": 60.0},
                "dashboard": {"ttl_s": 300.0, "p50_s": 150.0, "p99_s": 297.0, "max_s": 300.0},
            },
        },
        "replay": {
            "projections": ["dashboard", "seat_availability"],
            "events": 330_646,
            "seconds": 54.37,
            "events_per_s": 6_082.0,
        },
        "errors": errors or {},
    }
    return base | overrides


def latest(res: dict[str, Any]) -> str:
    return render_latest(render(res, {}), "docs/bench/small-latest.md")


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_section_in_performance_md_is_the_one_generated_from_the_committed_report() -> None:
    differences = check()
    assert not differences, (
        "docs/performance.md's Latest figures differ from docs/bench/small-latest.md; "
        "run `python -m benchmarks.report.publish`:\n" + "\n".join(differences)
    )


def test_the_committed_report_quotes_its_run() -> None:
    report = parse_report((ROOT / SOURCE).read_text())
    section = generated_section()
    assert f"run `{report.run_id}`" in section
    assert section.startswith(BEGIN)
    assert section.endswith(END)


def test_figures_are_quoted_as_the_report_prints_them() -> None:
    text = flat(latest(results()))
    assert "Small scale, run `abc1234567` (2030-01-02, 301.5 s;" in text
    assert "load average 0.25 at the start and 2 at the end" in text
    assert "Reads at 100,000 orders, 8 concurrent clients" in text
    assert "0 differences" in text
    assert "| dashboard | 2,056 / 4,113, 0.49/s | 5.61 / 11.22, 178/s | 12.79 / 25.58, 78.19/s |" in text
    assert "up to 60 s / 300 s stale" in text
    assert "computed on read 216 ms at 10,000, 2,056 ms at 100,000" in text
    assert "a constant answer 5.53 ms, one primary-key select 8.63 ms" in text
    assert "after the first load (10,000 orders), before its reads" in text
    assert "No read's p50 came out below the floor that applies to it." in text
    assert "17.85 / 28.47 ms at 26.9 holds/s" in text
    assert "134/s spread over shows (4 clients), 107/s on one hot show (4 clients)" in text
    assert "330,646 events in 54.37 s (6,082 events/s)" in text


def test_a_read_below_its_floor_is_named_and_the_floor_called_a_reference() -> None:
    res = results()
    res["floors"][0]["p50_ms"] = 6.0  # the cached baseline's 5.61 ms is now below the constant floor
    text = flat(latest(res))
    assert "availability of baseline_cached at 10,000 orders (5.61 ms, floor 6.00 ms)" in text
    assert "a reference for what the harness costs, not a bound" in text
    assert "of read_model" not in text  # 12.79 ms is above the primary-key floor


def test_a_run_with_errors_says_what_it_did_not_measure() -> None:
    res = results(errors={"replay": "TimeoutError: stalled"}, replay=None, commands=None)
    text = flat(latest(res))
    assert "Replay: not measured in this run." in text
    assert "Commands: not measured in this run." in text
    assert "This run reported errors: replay: TimeoutError: stalled." in text


def test_replacing_the_section_keeps_the_rest_of_the_document() -> None:
    doc = f"intro\n\n{BEGIN}\nold\n{END}\n\ntail\n"
    assert replace_section(doc, f"{BEGIN}\nnew\n{END}") == f"intro\n\n{BEGIN}\nnew\n{END}\n\ntail\n"
    with pytest.raises(ReportFormatError):
        replace_section("no markers here", "x")
    with pytest.raises(ReportFormatError):
        replace_section(f"{END}\n{BEGIN}", "x")


def test_parse_refuses_a_text_that_is_not_a_report() -> None:
    with pytest.raises(ReportFormatError):
        parse_report("# something else\n")


def test_publishing_a_run_copies_its_report_and_plots_and_rewrites_the_section(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "report.md").write_text(render(results(), {"reads": "reads.png", "scale": "scale.png"}))
    (run / "reads.png").write_bytes(b"png")
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "performance.md").write_text(f"# Performance\n\n{BEGIN}\nstale\n{END}\n")
    assert publish(run, root=root)
    assert (root / "docs" / "bench" / "reads.png").read_bytes() == b"png"
    assert "run `abc1234567`" in (root / "docs" / "performance.md").read_text()
    assert not publish(None, root=root)  # already current

    large = render(results(meta=results()["meta"] | {"scale": "large"}), {"reads": "reads.png"})
    (run / "report.md").write_text(large)
    copied = copy_run(run, root / "docs" / "bench")
    assert copied.name == "large-latest.md"
    assert "![reads](large-reads.png)" in copied.read_text()
    assert (root / "docs" / "bench" / "large-reads.png").exists()
