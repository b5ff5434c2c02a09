"""The read benchmark's reports: ``results.json`` (every figure) and ``report.md`` (the tables).

The Markdown starts with the durability line (or the NOT DURABLE warning),
then the floor line, then the README-shaped table (read | baseline cached |
read model, fresh), the closed loop in detail, the open loop, freshness, the
query API with more processes, where each case's CPU went (runs that measured it), the
background load and how it was measured.
"""

from pathlib import Path
from typing import Any

from benchmarks.config import AVAILABILITY_TTL_SECONDS, DASHBOARD_TTL_SECONDS
from benchmarks.reads.config import ENDPOINT_LABELS, ENDPOINTS, TARGET_LABELS
from benchmarks.reads.cpu_share import cpu_section
from benchmarks.report.results_file import write_results
from benchmarks.report.tables import errors_section, fmt, latency_cells, table, times
from benchmarks.wrk import not_accepted
from benchmarks.wrk_report import durability_paragraph, run_sentence


def _find(rows: list[dict[str, Any]], target: str, endpoint: str, workers: int) -> dict[str, Any] | None:
    for row in rows:
        if row["target"] == target and row["endpoint"] == endpoint and row["query_api_workers"] == workers:
            return row
    return None


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def ratios(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Per (query API processes, read): each design's rate, its ratio to its own process's
    ``/healthz`` in the same run, and the read model's ratio to the cached baseline's."""
    rows = results.get("closed", [])
    out = []
    for workers in sorted({r["query_api_workers"] for r in rows}):
        floors = {t: _find(rows, t, "healthz", workers) for t in TARGET_LABELS}
        for endpoint in ENDPOINTS:
            read, base = (
                _find(rows, "query_api", endpoint, workers),
                _find(rows, "baseline_cached", endpoint, workers),
            )
            if read is None and base is None:
                continue
            read_rate = read["requests_per_s"] if read else None
            base_rate = base["requests_per_s"] if base else None
            qfloor, bfloor = floors["query_api"], floors["baseline_cached"]
            out.append(
                {
                    "query_api_workers": workers,
                    "endpoint": endpoint,
                    "read_model_per_s": read_rate,
                    "baseline_cached_per_s": base_rate,
                    "read_model_to_healthz": _ratio(read_rate, qfloor["requests_per_s"] if qfloor else None),
                    "baseline_to_healthz": _ratio(base_rate, bfloor["requests_per_s"] if bfloor else None),
                    "read_model_to_baseline": _ratio(read_rate, base_rate),
                }
            )
    return out


def _cell(row: dict[str, Any] | None) -> str:
    """``5,457/s, p50 1.2 ms, p99 3.4 ms`` (or n/a)."""
    if row is None:
        return "n/a"
    return f"{fmt(row['requests_per_s'])}/s, p50 {row['p50_ms']:g} ms, p99 {row['p99_ms']:g} ms"


def floor_line(results: dict[str, Any]) -> str:
    rows = results.get("closed", [])
    workers = min((r["query_api_workers"] for r in rows), default=1)
    query, base = (
        _find(rows, "query_api", "healthz", workers),
        _find(rows, "baseline_cached", "healthz", workers),
    )
    if query is None:
        return "WARNING: Floor: the query API's `/healthz` was not measured (see Errors)."
    line = (
        f"Floor: wrk -t1 -c{query['connections']} against the query API's constant `/healthz` "
        f"({workers} process) answered {_cell(query)}"
    )
    if base is not None:
        line += f"; the cached baseline's `/healthz`, {_cell(base)}"
    return line + ". Every read below is compared with its own process's floor, measured minutes apart."


def readme_table(results: dict[str, Any]) -> str:
    """The README's shape: read | baseline cached | read model, fresh (rate, p50, p99 each)."""
    rows = results.get("closed", [])
    workers = min((r["query_api_workers"] for r in rows), default=1)
    by = {r["endpoint"]: r for r in ratios(results) if r["query_api_workers"] == workers}
    body = []
    for endpoint in ENDPOINTS:
        read = _find(rows, "query_api", endpoint, workers)
        base = _find(rows, "baseline_cached", endpoint, workers)
        ratio = by.get(endpoint, {})
        body.append(
            [
                ENDPOINT_LABELS[endpoint],
                _cell(base),
                _cell(read),
                times(ratio.get("read_model_to_healthz")),
                times(ratio.get("read_model_to_baseline")),
            ]
        )
    head = [
        "read",
        f"baseline cached (up to {AVAILABILITY_TTL_SECONDS:g} s / {DASHBOARD_TTL_SECONDS:g} s stale)",
        "read model, fresh",
        "read model / its /healthz",
        "read model / baseline cached",
    ]
    return table(head, body)


def _closed_table(rows: list[dict[str, Any]]) -> str:
    body = [
        [
            r["query_api_workers"],
            TARGET_LABELS.get(r["target"], r["target"]),
            f"`{r['endpoint']}`",
            r["paths"],
            fmt(r["requests_per_s"]),
            r["p50_ms"],
            r["p90_ms"],
            r["p99_ms"],
            r["max_ms"],
            fmt(not_accepted(r)),
            r.get("load_1m_at_start", ""),
        ]
        for r in rows
    ]
    head = [
        "query API processes",
        "target",
        "read",
        "paths",
        "req/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "non-200/errors",
        "load",
    ]
    return table(head, body)


def _open_section(results: dict[str, Any]) -> list[str]:
    row = results.get("open")
    if row is None:
        return ["Not measured (see Errors).\n"]
    achieved = row["requests_per_s"]
    body = [
        [
            fmt(row["target_rate"]),
            fmt(achieved),
            f"{achieved / row['target_rate']:.0%}" if row["target_rate"] else "",
            row["connections"],
            row["p50_ms"],
            row["p90_ms"],
            row["p99_ms"],
            row["max_ms"],
            fmt(not_accepted(row)),
        ]
    ]
    head = [
        "target req/s",
        "achieved req/s",
        "of target",
        "connections",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "non-200/errors",
    ]
    return [
        table(head, body),
        "Pacing: wrk's `delay()` (benchmarks/wrk/pacing.lua) hands out send slots 1/rate apart to "
        "whichever connection is free; wrk starts a request's clock when it is sent, so the latency "
        "excludes the pacing delay, and a slot that found every connection still waiting is skipped, "
        "not queued: coordinated omission is possible. An achieved rate close to the target means few "
        "slots were skipped; below it, the percentiles flatter the server.\n",
    ]


def _freshness_section(results: dict[str, Any]) -> list[str]:
    fresh = results.get("freshness")
    if not fresh:
        return ["Not measured (see Errors).\n"]
    body = [
        [
            fmt(r["target_rate"]),
            fmt(r["achieved_rate"]),
            fmt(r["throughput"]),
            *latency_cells(r),
            fmt(r["failed"]),
            r["command_p50_ms"],
            ", ".join(f"{k} {v}" for k, v in sorted(r["outcomes"].items()) if k != "ok") or "none",
        ]
        for r in fresh["read_model"]
    ]
    head = [
        "target holds/s",
        "started/s",
        "visible/s",
        "accepted → visible p50 ms",
        "p99 ms",
        "max ms",
        "failed",
        "hold p50 ms",
        "failures",
    ]
    base = fresh["baseline"]
    return [
        table(head, body),
        "A hold's effect counts as visible when the query API answers the show's availability with "
        "the hold's `consistency_token` and `wait_ms=5000` (one read round trip included); the "
        "asyncio open loop of benchmarks/scenarios/freshness.py issues the holds. The cached baseline "
        f"shows a change only when its entry expires: up to {base['availability']['ttl_s']:g} s for "
        f"availability (p50 {base['availability']['p50_s']:g} s) and {base['dashboard']['ttl_s']:g} s for "
        "the dashboard, derived from its TTLs.\n",
    ]


def _workers_section(results: dict[str, Any]) -> list[str]:
    rows = [r for r in ratios(results) if r["endpoint"] == "availability"]
    closed = results.get("closed", [])
    body = []
    for r in rows:
        floor = _find(closed, "query_api", "healthz", r["query_api_workers"])
        read = _find(closed, "query_api", "availability", r["query_api_workers"])
        body.append(
            [
                r["query_api_workers"],
                _cell(floor),
                _cell(read),
                times(r["read_model_to_healthz"]),
                fmt(r["baseline_cached_per_s"]) if r["baseline_cached_per_s"] is not None else "n/a",
                times(r["read_model_to_baseline"]),
            ]
        )
    head = [
        "query API processes",
        "`/healthz`",
        "availability",
        "availability / `/healthz`",
        "baseline cached availability req/s",
        "read model / baseline cached",
    ]
    return [table(head, body)]


def _background_section(results: dict[str, Any]) -> list[str]:
    body = [
        [
            b["during"],
            fmt(b["target_rate"]),
            fmt(b["requests_per_s"]),
            fmt(b["ok_per_s"]),
            fmt(b["conflicts"]),
            fmt(b["other"]),
            b["p50_ms"],
            b["p99_ms"],
            b["seconds"],
        ]
        for b in results.get("background", [])
    ]
    head = [
        "during",
        "target holds/s",
        "requests/s",
        "accepted (201)/s",
        "409",
        "other",
        "p50 ms",
        "p99 ms",
        "seconds",
    ]
    return [table(head, body)] if body else ["No background load ran (see Errors).\n"]


def render(results: dict[str, Any]) -> str:
    meta = results["meta"]
    options = meta["options"]
    setup = results.get("setup", {})
    first = options["query_workers"][0]
    processes = f"{first} query API process{'es' if first > 1 else ''}"
    parts = [
        "# boxoffice read benchmark (wrk)\n",
        durability_paragraph(results["durability"]),
        floor_line(results) + "\n",
        run_sentence(meta, results.get("machine", {}))
        + f"; {meta['wrk']}, one wrk thread; commit {meta['source']['commit']}"
        + (
            f" with uncommitted changes in {', '.join(meta['source']['uncommitted'])}"
            if meta["source"].get("uncommitted")
            else ""
        )
        + f"{' (quick mode: smoke-test sizes, not figures)' if options.get('quick') else ''}.\n",
        f"Data: {fmt(setup.get('orders', 0))} generated orders ({fmt(setup.get('events', 0))} events, "
        f"{fmt(setup.get('shows', 0))} shows of 2,000 seats) plus {setup.get('hold_shows', 0)} fresh shows "
        f"for the background holds and {setup.get('freshness_shows', 0)} for freshness; availability and "
        f"seat maps spread round robin over {setup.get('read_shows', 0)} shows (half with history, half "
        "receiving the background holds); setup took "
        f"{setup.get('seconds', '?')} s.\n",
        f"## Reads while ~{options['background_rate']:g} holds/s run through the command API (a)\n",
        f"wrk -t1 -c{options['connections']}, {options['seconds']} s per case, closed loop; {processes}, "
        "the compute-on-read baseline with its cache, the "
        "same paths in the same run.\n",
        readme_table(results),
        "The baseline has no compact seat map: on `?format=compact` it serves its full map (2,000 seats), "
        "from its cache. The read model's rates include re-reading the bodies of the shows the holds "
        "change; the baseline's cache never notices them.\n",
        "### Every closed-loop case\n",
        _closed_table(results.get("closed", [])),
        f"## Open loop: availability at {options['open_rate']:g} req/s (b)\n",
        f"wrk -t1 -c{options['open_connections']} paced by `delay()`, {options['seconds']} s, {processes}, "
        "background holds running.\n",
        *_open_section(results),
        f"## Freshness at {options['freshness_rate']:g} holds/s (c)\n",
        f"{options['freshness_seconds']:g} s, no background load, {processes}.\n",
        *_freshness_section(results),
        "## Availability with more query API processes (d)\n",
        "Same as (a) for availability and the floors, the query API restarted with `--workers N` "
        "(each process its own memory and cache), background holds running again.\n",
        *_workers_section(results),
        *cpu_section(results),
        "## Background holds\n",
        "wrk -t1 with `holds_paced.lua` (best-available holds of one seat, the shows of the hold set, paced "
        "by `delay()`), stopped with SIGINT at the end of the sections it accompanied.\n",
        *_background_section(results),
        "## How it was measured\n",
        "Private database and topic; the stack as `python -m benchmarks.serve` runs it (command API with "
        f"{options['command_workers']} processes, command worker, projector, query API, cached baseline), "
        "all on the same cores as wrk, PostgreSQL and Kafka. The measured query API process was "
        + (
            "started after the data load and the fresh shows (`--restart-query-api`). "
            if options.get("restart_query_api")
            else "the one that ran through the bulk load. "
        )
        + "Every read path was requested once before "
        "the measurements (cache warm-up). wrk's latency covers every completed request; non-200 answers "
        "are counted in the tables. Reproduce: `python -m benchmarks.reads`.\n",
    ]
    if results.get("errors"):
        parts.append(errors_section(results["errors"]))
    return "\n".join(parts)


def write_reports(results: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """``results.json`` and ``report.md`` in ``out_dir``; returns their paths."""
    results["ratios"] = ratios(results)
    paths = {"json": write_results(results, out_dir), "markdown": out_dir / "report.md"}
    paths["markdown"].write_text(render(results))
    return paths
