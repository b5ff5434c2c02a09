"""Report sections of the measurements against load: reads, scale, freshness, commands, replay."""

from typing import Any

from benchmarks.report.tables import SUMMARY_HEAD, fmt, latency_cells, ratio, section, summary_cells, table
from benchmarks.scenarios.endpoints import DESIGNS, ENDPOINTS, FILTERED
from benchmarks.scenarios.reads import SLOW_REQUEST_S, SLOW_REQUESTS


def reads(reads: list[dict[str, Any]], equivalence: list[dict[str, Any]], plots: dict[str, str]) -> str:
    out = ["## Reads\n", _equivalence(equivalence)]
    for orders in sorted({r["orders"] for r in reads}):
        rows = [
            [r["endpoint"], r["design"], r["concurrency"], *summary_cells(r)]
            for r in reads
            if r["orders"] == orders
        ]
        head = ["endpoint", "design", "concurrency", *SUMMARY_HEAD]
        out.append(f"### {fmt(orders)} orders\n\n" + table(head, rows))
        ratios = []
        for endpoint in ENDPOINTS:
            by = {r["design"]: r for r in reads if r["orders"] == orders and r["endpoint"] == endpoint}
            if len(by) < len(DESIGNS):
                continue  # a failed measurement left this endpoint without one of the designs
            rm, cold, cached = by["read_model"], by["baseline_cold"], by["baseline_cached"]
            ratios.append(
                [
                    endpoint,
                    ratio(rm["p50_ms"], cold["p50_ms"]),
                    ratio(rm["p50_ms"], cached["p50_ms"]),
                    ratio(rm["throughput"], cold["throughput"]),
                    ratio(rm["throughput"], cached["throughput"]),
                ]
            )
        head = [
            "endpoint",
            "p50 read model / cold",
            "p50 read model / cached",
            "req/s read model / cold",
            "req/s read model / cached",
        ]
        out.append(
            "Ratios (read model / baseline; below 1 for latency and above 1 for throughput favour "
            "the read model):\n\n" + table(head, ratios)
        )
    slow = [f"{r['endpoint']} {r['design']} at {fmt(r['orders'])} orders" for r in reads if r.get("bounded")]
    if slow:
        out.append(
            f"Bounded: {'; '.join(slow)}. A case whose single (warm-up) request took {SLOW_REQUEST_S:g} s "
            f"or more is measured with {SLOW_REQUESTS} requests by one client, one after another, instead "
            "of the closed loop: that many concurrent requests of tens of seconds would queue on the "
            "machine's cores for minutes. Its latency is that of a request alone, lower than under "
            "the other rows' concurrency, and its req/s is that of one client.\n"
        )
    out.append(f"![reads]({plots.get('reads', '')})\n")
    return "\n".join(out)


def scale(reads: list[dict[str, Any]], plots: dict[str, str]) -> str:
    sizes = sorted({r["orders"] for r in reads})
    rows = []
    for endpoint in ENDPOINTS:
        for design in ("baseline_cold", "baseline_cached", "read_model"):
            by = {
                r["orders"]: r["p50_ms"] for r in reads if r["endpoint"] == endpoint and r["design"] == design
            }
            rows.append([endpoint, design, *[by.get(s, "") for s in sizes]])
    for endpoint in FILTERED:
        by = {r["orders"]: r["p50_ms"] for r in reads if r["endpoint"] == endpoint}
        if by:
            rows.append([endpoint, "read_model", *[by.get(s, "") for s in sizes]])
    head = ["endpoint", "design", *[f"p50 at {fmt(s)}" for s in sizes]]
    return section("Scale", head, rows, f"\n![latency against data size]({plots.get('scale', '')})\n")


def freshness(f: dict[str, Any]) -> str:
    rows: list[list[Any]] = [
        ["read model (measured)", f"{r['target_rate']:g} / {r['achieved_rate']:g}", r["command_p50_ms"],
         *latency_cells(r), fmt(r["ok"]), r["outcomes"]]
        for r in f["read_model"]
    ]  # fmt: skip
    for name, b in f["baseline"].items():
        ttl = f"baseline {name} (TTL {b['ttl_s']:g} s, derived)"
        rows.append([ttl, "any", "", b["p50_s"] * 1000, b["p99_s"] * 1000, b["max_s"] * 1000, "", ""])
    head = ["design", "commands/s target / started", "command p50 ms", "stale p50 ms", "stale p99 ms",
            "stale max ms", "samples", "outcomes"]  # fmt: skip
    return section(
        "Freshness",
        head,
        rows,
        "\nRead model: hold accepted (the command API answered) → availability read with its "
        "consistency token answered 200, at steady command rates of 20%, 40% and 60% of the best "
        "spread hold throughput measured above (never above the scale's rate). Baseline: a cached "
        "answer stays unchanged until its TTL passes, so a change is invisible for U(0, TTL).\n",
    )


def commands(commands: list[dict[str, Any]], plots: dict[str, str]) -> str:
    rows = [
        [
            c["scenario"],
            c["concurrency"],
            fmt(c["throughput"]),
            *latency_cells(c),
            fmt(c["ok"]),
            c["outcomes"],
        ]
        for c in commands
    ]
    head = ["scenario", "clients", "accepted holds/s", "p50", "p99", "max", "accepted", "outcomes"]
    return section(
        "Commands",
        head,
        rows,
        (
            "\nBest-available holds of two seats. spread: over 32 shows; hot: one fresh 8,000-seat show per "
            "level that everyone wants (each hold takes that show's row lock in turn).\n\n"
            f"![commands]({plots.get('commands', '')})\n"
        ),
    )


def replay(r: dict[str, Any]) -> str:
    row = [", ".join(r["projections"]), fmt(r["events"]), r["seconds"], fmt(r["events_per_s"])]
    head = ["projections", "events", "seconds", "events/s"]
    note = ""
    if "ceiling_events_per_s" in r:  # runs before the ceiling was measured have none
        row += [fmt(r["ceiling_events_per_s"]), f"{r['share_of_ceiling_pct']:g} %"]
        head += ["plain consumer events/s (ceiling)", "replay / ceiling"]
        note = (
            " The ceiling, measured just before in the same run: a plain aiokafka consumer in the "
            "benchmark process (no consumer group, no decoding, no database) reading the same topic from "
            "its beginning to the same end offsets; the replay's events/s as a share of it."
        )
    # runs before one process per projection recorded none: all projections shared one process
    processes = "one process per projection" if r.get("processes", 1) > 1 else "all in one process"
    return section(
        "Replay",
        head,
        [row],
        (
            "\nA fresh version of every projection (new schemas, new consumer groups) consuming the whole "
            f"topic from offset 0 while the serving version keeps running ({processes}); from process "
            f"start to caught up.{note}\n"
        ),
    )


def _equivalence(checks: list[dict[str, Any]]) -> str:
    rows = [[fmt(c["orders"]), *(c["compared"][e] for e in ENDPOINTS), c["differences"],
             "; ".join(c["examples"])] for c in checks]  # fmt: skip
    head = ["orders", *(f"{e} compared" for e in ENDPOINTS), "differences", "examples"]
    return (
        "Before timing, the cold baseline and the read model are asked the same questions on the same data; "
        "their answers must match:\n\n" + table(head, rows)
    )
