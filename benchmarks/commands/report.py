"""The command benchmark's reports: ``results.json`` (every figure) and ``report.md`` (the tables).

The Markdown starts with the durability line (or the NOT DURABLE warning),
then one table per spread (holds/s, p50 / p99 / max per case), the
best-available zone-size ratio, the generator's floor with its line (a
WARNING when it is not at least ``FLOOR_MARGIN`` times the highest holds rate
at every level), and how it was measured.
"""

import os
from pathlib import Path
from typing import Any

from benchmarks.commands.clock import ATTEMPTS, STEP_TOLERANCE_S
from benchmarks.commands.config import MODE_LABELS, PLANS
from benchmarks.commands.floor_summary import summary
from benchmarks.report.results_file import write_results
from benchmarks.report.tables import errors_section, fmt, latency_cells, table, times
from benchmarks.wrk import not_accepted
from benchmarks.wrk_report import durability_paragraph, run_sentence

FLOOR_MARGIN = 3.0  # the floor must answer this many times the highest holds rate
ZONE_RATIO_TARGET = 1.5  # best-available p50, 20,000-seat zone / 200-seat zone, 1 client
EXPLICIT_P50_TARGET_MS = 3.0  # issue #13: an explicit hold's p50 with one client
CONFLICT_NOTE = 0.05  # share of 409s above which a case is named under the tables
SMALL_SEATS, LARGE_SEATS = (p.zone_seats for p in PLANS)


def floor_check(results: dict[str, Any]) -> dict[str, Any]:
    """The floor per level against the highest holds request rate at that level."""
    floor = {f["connections"]: f for f in results.get("floor", [])}
    cases = results.get("cases", [])
    levels = []
    for level, f in sorted(floor.items()):
        rates = [c["requests_per_s"] for c in cases if c["connections"] == level]
        top = max(rates, default=0.0)
        levels.append(
            {
                "connections": level,
                "floor_requests_per_s": f["requests_per_s"],
                "highest_holds_requests_per_s": top,
                "ratio": round(f["requests_per_s"] / top, 1) if top else None,
            }
        )
    ratios = [lv["ratio"] for lv in levels if lv["ratio"] is not None]
    best_floor = max(floor.values(), key=lambda f: f["requests_per_s"], default=None)
    floor_rate = best_floor["requests_per_s"] if best_floor else None
    top_accepted = max((c["ok_per_s"] for c in cases), default=0.0)
    top_requests = max((c["requests_per_s"] for c in cases), default=0.0)
    return {
        "levels": levels,
        "floor_requests_per_s": floor_rate,
        "floor_connections": best_floor["connections"] if best_floor else None,
        "highest_accepted_per_s": top_accepted,
        "highest_requests_per_s": top_requests,
        "ratio": round(floor_rate / top_requests, 1) if floor_rate and top_requests else None,
        "min_level_ratio": min(ratios) if ratios else None,
        "margin": FLOOR_MARGIN,
        "ok": bool(ratios) and min(ratios) >= FLOOR_MARGIN,
    }


def zone_ratio(results: dict[str, Any]) -> dict[str, Any]:
    """Best-available p50 with the fewest clients: the 20,000-seat zone over the 200-seat zone."""
    cases = results.get("cases", [])
    out: dict[str, Any] = {"target": ZONE_RATIO_TARGET}
    levels = sorted({c["connections"] for c in cases})
    for spread in ("spread", "hot"):
        by = {
            c["zone_seats"]: c
            for c in cases
            if c["mode"] == "best" and c["spread"] == spread and levels and c["connections"] == levels[0]
        }
        small, large = by.get(SMALL_SEATS), by.get(LARGE_SEATS)
        if small and large and small["p50_ms"]:
            out[spread] = {
                "connections": levels[0],
                "p50_small_ms": small["p50_ms"],
                "p50_large_ms": large["p50_ms"],
                "ratio": round(large["p50_ms"] / small["p50_ms"], 2),
                "met": large["p50_ms"] / small["p50_ms"] <= ZONE_RATIO_TARGET,
            }
    return out


def floor_line(check: dict[str, Any]) -> str:
    if check["floor_requests_per_s"] is None:
        return "WARNING: Generator floor: not measured (see Errors); the figures may measure the generator."
    line = (
        f"Generator floor: wrk against the command API's constant `/healthz` answered "
        f"{fmt(check['floor_requests_per_s'])} requests/s at best (with {check['floor_connections']} "
        f"connection(s)), {times(check['ratio'])} the highest holds rate reported "
        f"({fmt(check['highest_accepted_per_s'])} accepted/s, {fmt(check['highest_requests_per_s'])} "
        f"requests/s); level by level the floor is at least {times(check['min_level_ratio'])} the highest "
        f"holds request rate at the same connections (wanted: at least {FLOOR_MARGIN:g}x)."
    )
    if check["ok"]:
        return line
    return (
        f"WARNING: {line} That is less than {FLOOR_MARGIN:g}x: at some level the load generator and "
        "the HTTP stack, not the command side, may be what limits the holds."
    )


def _case_table(cases: list[dict[str, Any]]) -> str:
    rows = [
        [
            MODE_LABELS[c["mode"]],
            fmt(c["zone_seats"]),
            c["connections"],
            fmt(c["ok_per_s"]),
            *latency_cells(c),
            fmt(c["ok"]),
            fmt(c["conflicts"]),
            fmt(not_accepted(c)),
            f"{c['fill_at_start']:.1%}",
            c.get("load_1m_at_start", ""),
            snapshot_ages(c),
        ]
        for c in cases
    ]
    head = ["hold", "zone seats", "clients", "holds/s", "p50", "p99", "max", "201", "409", "other/errors",
            "fill at start", "load", "oldest snapshot: start-end (max)"]  # fmt: skip
    return table(head, rows)


def snapshot_ages(case: dict[str, Any]) -> str:
    """The case's oldest snapshot of any session, in transactions, at its start and end, and the
    largest of the readings taken every 0.2 s in between ("0-0 (max 0)": none seen; a snapshot held
    less than 0.2 s can slip between readings; a large figure means a session kept dead row
    versions of the hot rows, and the case measured them). Cases from before the readings
    in between show start-end only."""
    ages = case.get("oldest_snapshot_age")
    if not ages:
        return ""
    most = case.get("oldest_snapshot_age_max")
    return f"{ages[0]}-{ages[1]}" + (f" ({most})" if most is not None else "")


def render(results: dict[str, Any]) -> str:
    meta = results["meta"]
    source = meta["source"]
    parts = [
        "# boxoffice command benchmark (wrk)\n",
        durability_paragraph(results["durability"]),
        run_sentence(meta, results.get("machine", {}))
        + f". Command API: {meta['command_api_workers']} uvicorn process(es) of commit "
        f"`{source['commit']}`"
        + (" with uncommitted changes in command_side/" if source["command_side_uncommitted"] else "")
        + f", beside the command worker, projector and query API. Load: {meta['wrk']}, one thread, "
        f"{meta['seconds_per_case']} s per case. Figures are reports, never pass/fail thresholds.\n",
    ]
    if results["errors"]:
        parts.append(errors_section(results["errors"]))
    parts.append(_commands(results))
    return "\n".join(parts)


def _commands(results: dict[str, Any]) -> str:
    meta, cases = results["meta"], results["cases"]
    out = [
        "## Commands (wrk)\n",
        "Accepted holds per second (201s over the case's duration) and wrk's latency in ms: p50 / p99 / "
        "max over every completed request, whatever its status (a 409 answers fast, so a case with "
        "many of them looks faster than its holds). Explicit: one random seat of a random zone; best "
        f"available: {' or '.join(str(q) for q in meta['best_quantity'])} seats of a random zone. "
        "Fill at start: share of the case's shows' seats already held when it began; load: the "
        "machine's 1-minute load average then (other work on a shared machine shows up here).\n",
    ]
    titles = {
        "spread": f"### Spread: each request picks one of {meta['spread_shows']} shows\n",
        "hot": "### Hot: every request of a case goes to one fresh show\n",
    }
    for spread, title in titles.items():
        rows = [c for c in cases if c["spread"] == spread]
        if rows:
            out.append(title + "\n" + _case_table(rows))
    out += _notes(cases)
    ratio = zone_ratio(results)
    lines = []
    for spread in ("spread", "hot"):
        r = ratio.get(spread)
        if r:
            verdict = "met" if r["met"] else "NOT met"
            lines.append(
                f"- {spread}, {r['connections']} client(s): p50 {r['p50_large_ms']} ms on the "
                f"{fmt(LARGE_SEATS)}-seat zone against {r['p50_small_ms']} ms on the "
                f"{fmt(SMALL_SEATS)}-seat zone: **{r['ratio']}x** (target <= {ZONE_RATIO_TARGET}x: "
                f"{verdict})"
            )
    out.append(
        f"### Best available: {fmt(LARGE_SEATS)}-seat zone against {fmt(SMALL_SEATS)}-seat zone\n\n"
        + ("\n".join(lines) if lines else "Not measured (see Errors).")
        + "\n"
    )
    out.append(_latency_floor(results))
    out.append(_cpu(results))
    out.append(_floor(results))
    out.append(_method(results))
    return "\n".join(out)


def _latency_floor(results: dict[str, Any]) -> str:
    """The run's one-client floor (``latency_floor``) beside wrk's one-client explicit holds, if measured."""
    floor = results.get("latency_floor")
    if not floor:
        return ""
    cases = results.get("cases", [])
    ones = [c for c in cases if c["mode"] == "explicit" and c["connections"] == 1]
    line = ""
    if ones:
        p50s = sorted(c["p50_ms"] for c in ones)
        commit, bound = floor["commit"]["p50_ms"], floor["breakdown"]["bound_ms"]
        line = (
            f"\n\nwrk's one-client explicit holds (every zone size and spread): p50 {p50s[0]}-{p50s[-1]} ms, "
            f"{p50s[0] / commit:.1f}-{p50s[-1] / commit:.1f}x the commit floor and "
            f"{p50s[0] / bound:.2f}-{p50s[-1] / bound:.2f}x the in-process hold's bound (wrk's holds also "
            "cross uvicorn and a socket, and share the cores with the relay and the projectors)."
        )
    b = floor["breakdown"]
    work = floor["hold_http"]["cpu_ms"] + b["backend_cpu_ms"]
    verdict = "met" if floor["hold_http"]["p50_ms"] <= EXPLICIT_P50_TARGET_MS else "NOT met"
    target = (
        f"\n\nTarget: an explicit hold's p50 <= {EXPLICIT_P50_TARGET_MS:g} ms with one client: {verdict} "
        f"in process ({floor['hold_http']['p50_ms']} ms). The hold's CPU alone, in the command API and its "
        f"PostgreSQL backend, is {work:.2f} ms ({work / EXPLICIT_P50_TARGET_MS:.1f}x the target); one "
        "client's hold cannot answer before that work is done."
    )
    return f"### One client against the latency floor\n\n{summary(floor)}{line}{target}\n"


def _cpu(results: dict[str, Any]) -> str:
    """CPU ms per accepted hold by component, and the holds/s the machine's cores bound it to."""
    cases = [c for c in results["cases"] if c.get("cpu_ms_per_hold")]
    if not cases:
        return ""
    names = sorted({k for c in cases for k in c["cpu_ms_per_hold"] if k != "total"})
    cores = results.get("machine", {}).get("cpu_cores") or os.cpu_count() or 1
    head = ["case", "clients", *names, "total", "bound (holds/s)", "measured (holds/s)"]
    rows = []
    for c in cases:
        ms = c["cpu_ms_per_hold"]
        bound = round(cores * 1000 / ms["total"]) if ms.get("total") else 0
        cpu = [f"{ms.get(n, 0):.2f}" for n in names]
        measured = f"{c['ok_per_s']:.0f}"
        rows.append([str(c["case"]), str(c["connections"]), *cpu, f"{ms['total']:.2f}", str(bound), measured])
    return (
        "### Where a hold's CPU goes\n\n"
        "CPU milliseconds per accepted hold of each process (tree) of the stack, from /proc, over the "
        f"case's duration; PostgreSQL and Kafka count all their processes. Bound: {cores} cores x "
        "1000 / total, the holds per second the machine could take if every core did only this.\n\n"
        + table(head, rows)
    )


def _notes(cases: list[dict[str, Any]]) -> list[str]:
    """What a reader must know to trust the tables: many 409s, cases that started on a busy pipeline."""
    notes = []
    conflicted = [
        c["case"] for c in cases if c["requests"] and c["conflicts"] / c["requests"] > CONFLICT_NOTE
    ]
    if conflicted:
        notes.append(
            f"Note: more than {CONFLICT_NOTE:.0%} of the answers were 409 in {', '.join(conflicted)}: "
            "the seats were taken (explicit) or the zone ran low (best available), and 409s answer "
            "faster than holds."
        )
    stepped = [f"{c['case']} ({len(c['clock_steps'])}x)" for c in cases if c.get("clock_steps")]
    if stepped:
        notes.append(
            f"Note: the wall clock, which wrk times with, stepped during {', '.join(stepped)}: "
            "such a run is measured again, and only a case whose every run saw a step shows a stepped "
            "run's figures (`benchmarks/commands/clock.py`)."
        )
    busy = [c["case"] for c in cases if c["idle_wait_s"] is None]
    if busy:
        notes.append(
            f"Note: the relay or projectors were still busy when {', '.join(busy)} began "
            "(the wait for an idle pipeline timed out)."
        )
    return notes


def _floor(results: dict[str, Any]) -> str:
    check = floor_check(results)
    floor = {f["connections"]: f for f in results.get("floor", [])}
    rows = [
        [
            lv["connections"],
            fmt(lv["floor_requests_per_s"]),
            *latency_cells(floor[lv["connections"]]),
            fmt(lv["highest_holds_requests_per_s"]),
            times(lv["ratio"]),
        ]
        for lv in check["levels"]
    ]
    head = ["clients", "floor req/s", "p50", "p99", "max", "highest holds req/s", "floor / holds"]
    return "### Generator floor\n\n" + (table(head, rows) + "\n" if rows else "") + floor_line(check) + "\n"


def _method(results: dict[str, Any]) -> str:
    meta, setup = results["meta"], results.get("setup", {})
    small, large = meta["plans"]["small"], meta["plans"]["large"]
    creation = setup.get("show_creation", {})
    return (
        "### How it was measured\n\n"
        f"- Stack: private database and topic, the command API with {meta['command_api_workers']} "
        "process(es) (`boxoffice command-api --workers`), the command worker (relay, expiry), the "
        "projector and the query API, all on this machine with PostgreSQL, Kafka and wrk.\n"
        f"- Zones: a show of {small['zones']} zones of {small['rows']} rows of {small['seats_per_row']} "
        f"seats ({fmt(small['zone_seats'])}-seat zones; each request picks one, so no zone runs out "
        f"during a case) and a show of one zone of {large['rows']} rows of {large['seats_per_row']} "
        f"seats ({fmt(large['zone_seats'])}); both shows have {fmt(large['show_seats'])} seats.\n"
        f"- Shows: {creation.get('shows', 0)} created in {setup.get('seconds', '?')} s (median "
        f"{creation.get('median_s', '?')} s, max {creation.get('max_s', '?')} s each; the projectors "
        f"then needed {setup.get('projections_caught_up_after_s', '?')} s). Spread cases share one set "
        f"per zone size, replaced before a case could fill it past {meta['max_fill']:.0%} "
        f"({meta['spread_refreshes']} replacement(s)); every hot case gets a fresh show.\n"
        "- Each case: wait until the relay has published everything and both projections caught up, "
        f"then `wrk -t1 -c<clients> -d{meta['seconds_per_case']}s` with `benchmarks/wrk/holds.lua` "
        "(checkout key, a unique Idempotency-Key and customer per request, a random show of the case). "
        "wrk is a closed loop: each connection sends its next request when the answer arrives.\n"
        f"- Floor: the same wrk and script against the command API's constant `/healthz` at the same "
        "connection levels, measured once before the cases, when the pipeline was idle.\n"
        "- Latency floor: `benchmarks.commands.latency_floor` in the benchmark's own process, on the "
        "run's database, after the generator's floor (one client; the stack idle but running).\n"
        "- Clock: wrk times with the wall clock, so each case's wrk run is also timed on the monotonic "
        "clock; a run during which the two parted by more than "
        f"{STEP_TOLERANCE_S:g} s is run again, up to {ATTEMPTS} times (named in a note).\n"
    )


def write_reports(results: dict[str, Any], out: Path) -> dict[str, Path]:
    """``results.json`` and ``report.md`` in ``out``; returns their paths."""
    results["checks"] = {"floor": floor_check(results), "best_zone_ratio": zone_ratio(results)}
    paths = {"json": write_results(results, out), "markdown": out / "report.md"}
    paths["markdown"].write_text(render(results))
    return paths
