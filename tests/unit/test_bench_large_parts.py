"""The large benchmark's parts that keep it bounded and say how: the replay's ceiling in the report,
the bounded cold case of the reads, the data set's slices and overlapping steps."""

import math
from typing import Any

from benchmarks.config import SCALES, ReadLoad
from benchmarks.dataset import CHUNK_ORDERS, slice_sizes
from benchmarks.report.latest import parse_report, render_latest
from benchmarks.report.markdown import render
from benchmarks.report.sections import reads, replay
from benchmarks.scenarios.reads import SLOW_REQUEST_S, SLOW_REQUESTS, bounded
from tests.unit.test_bench_latest_figures import flat, results, summary

REPLAY = {"projections": ["dashboard", "seat_availability"], "events": 3_243_221, "seconds": 98.25,
          "events_per_s": 26_914.4, "ceiling_events_per_s": 180_512.3,
          "share_of_ceiling_pct": 14.9}  # fmt: skip


def test_the_replay_section_shows_the_ceiling_and_the_share_of_it() -> None:
    text = replay(REPLAY)

    assert (
        "| projections | events | seconds | events/s | plain consumer events/s (ceiling) | replay / ceiling |"
        in text
    )
    assert "| dashboard, seat_availability | 3,243,221 | 98.25 | 26,914 | 180,512 | 14.9 % |" in text
    assert "plain aiokafka consumer" in flat(text)
    assert "same end offsets" in flat(text)


def test_the_replay_section_says_whether_the_projections_had_a_process_each() -> None:
    assert "(one process per projection)" in flat(replay({**REPLAY, "processes": 2}))
    assert "(all in one process)" in flat(replay(REPLAY))


def test_a_replay_measured_before_the_ceiling_renders_as_it_did() -> None:
    old = {k: v for k, v in REPLAY.items() if not k.startswith(("ceiling", "share"))}
    text = replay(old)

    assert "| projections | events | seconds | events/s |\n" in text
    assert "ceiling" not in text


def test_the_latest_figures_quote_the_replay_as_a_share_of_the_ceiling() -> None:
    report = render(results(replay=REPLAY), {})

    row = parse_report(report).table("Replay")[0]
    assert row["replay / ceiling"] == "14.9 %"
    text = flat(render_latest(report, "docs/bench/large-latest.md"))
    assert (
        "3,243,221 events in 98.25 s (26,914 events/s, 14.9 % of a plain consumer's 180,512 events/s)" in text
    )


def test_a_fast_case_keeps_its_load_and_a_slow_one_is_bounded() -> None:
    load = SCALES["large"].reads

    assert bounded(load, SLOW_REQUEST_S - 0.01) == load
    slow = bounded(load, 45.0)
    assert (slow.concurrency, slow.requests, slow.seconds) == (1, SLOW_REQUESTS, math.inf)
    assert slow.shows == load.shows


def cold_dashboard(orders: int, *, bounded: bool) -> dict[str, Any]:
    return {"orders": orders, "endpoint": "dashboard", "design": "baseline_cold",
            "concurrency": 1 if bounded else 8, "bounded": bounded} | summary(p50_ms=45_153.0)  # fmt: skip


def test_the_reads_section_names_the_bounded_cases_and_says_how_they_were_measured() -> None:
    text = flat(
        reads([cold_dashboard(1_000_000, bounded=True), cold_dashboard(100_000, bounded=False)], [], {})
    )

    assert "Bounded: dashboard baseline_cold at 1,000,000 orders." in text
    assert "dashboard baseline_cold at 100,000 orders" not in text
    assert (
        f"took {SLOW_REQUEST_S:g} s or more is measured with {SLOW_REQUESTS} requests by one client" in text
    )


def test_reads_without_a_bounded_case_say_nothing_of_it() -> None:
    assert "Bounded" not in reads([cold_dashboard(100_000, bounded=False)], [], {})
    assert "Bounded" not in render(results(), {})  # rows of runs before the bound have no "bounded"


def test_the_data_set_section_shows_the_wall_time_of_the_overlapping_steps() -> None:
    data = [{"orders": 100_000, "shows": 180, "events": 323_530, "generate_s": 9.1, "copy_s": 23.2,
             "publish_s": 4.4, "load_s": 26.2, "caught_up_after_load_s": 3.0,
             "projection_events_per_s": 11_000.0}]  # fmt: skip
    text = render(results(data=data), {})

    assert "| generate s | COPY s | publish s | load s |" in text
    assert "| 100,000 | 180 | 323,530 | 9.10 | 23.20 | 4.40 | 26.20 | 3.00 | 11,000 |" in text
    assert "The steps overlap" in flat(text)


def test_slices_cover_the_orders_in_chunks() -> None:
    assert slice_sizes(0) == []
    assert slice_sizes(10_000) == [10_000]
    assert slice_sizes(90_000) == [CHUNK_ORDERS] * 3 + [90_000 - 3 * CHUNK_ORDERS]
    assert sum(slice_sizes(900_000)) == 900_000
    assert ReadLoad(8, 1, 1.0, 1) != bounded(ReadLoad(8, 1, 1.0, 1), 60.0)
