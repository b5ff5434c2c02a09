"""Where the read benchmark's CPU goes: each process's CPU over a case, and its share of a core.

A :class:`CpuWindow` is opened right before a case's load starts and closed
right after it ends; it reads ``benchmarks.cpu`` snapshots of the stack's
process trees (the background holds' wrk too, while it runs), PostgreSQL and
Kafka, plus the case's own wrk (this process's children that ended meanwhile)
and this process (the freshness loop's client). Stack processes are counted by
role, so the query API with two processes is still ``query-api``. The report
gives each component's CPU seconds over the case divided by its wall seconds:
100% is one core busy for the whole case.
"""

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self

from benchmarks import cpu
from benchmarks.reads.config import TARGET_LABELS
from benchmarks.report.tables import fmt, table

WRK = "wrk"  # the case's own load: the wrk that ended during the window
HOLDS_WRK = "holds-wrk"  # the background holds' wrk, running beside the case
BENCH = "bench"  # this process (the freshness loop's asyncio client)
COMPONENTS = (
    "command-api",
    "command-worker",
    "projector",
    "query-api",
    "baseline",
    "postgresql",
    "kafka",
    WRK,
    HOLDS_WRK,
    BENCH,
)


def component(name: str) -> str:
    """A stack process's role: ``query-api-w2`` is a ``query-api``, ``baseline-cached`` a ``baseline``."""
    for role in COMPONENTS:
        if name == role or name.startswith(role + "-"):
            return role
    return name


def _reading(roots: Mapping[str, int]) -> dict[str, float]:
    """Each root's tree, PostgreSQL, Kafka, the ended children and this process, in CPU seconds."""
    return {**cpu.snapshot(roots), WRK: cpu.ended_children(), BENCH: time.process_time()}


@dataclass(frozen=True, slots=True)
class CpuWindow:
    """The readings at the start of a case, for :meth:`close` to subtract."""

    roots: dict[str, int]
    before: dict[str, float]
    began: float

    @classmethod
    def open(cls, roots: Mapping[str, int]) -> Self:
        """Start counting ``roots`` (name → pid of a process tree that lives through the case)."""
        return cls(dict(roots), _reading(roots), time.monotonic())

    def close(self) -> dict[str, Any]:
        """``{"seconds": wall seconds, "cpu_s": {component: CPU seconds}}`` since :meth:`open`."""
        seconds = time.monotonic() - self.began
        by_component: dict[str, float] = {}
        for name, used in cpu.spent(self.before, _reading(self.roots)).items():
            role = component(name)
            by_component[role] = by_component.get(role, 0.0) + used
        return {"seconds": round(seconds, 3), "cpu_s": {k: round(v, 3) for k, v in by_component.items()}}


def _percent(used: float, seconds: float) -> str:
    return f"{100 * used / seconds:.0f}%" if seconds > 0 else "n/a"


@dataclass(frozen=True, slots=True)
class CpuRow:
    """One measured case: the section it belongs to, what it ran, its rate, its window."""

    section: str
    case: str
    rate: str
    window: Mapping[str, Any]


def _closed(section: str, r: Mapping[str, Any]) -> CpuRow:
    case = f"{TARGET_LABELS.get(r['target'], r['target'])} `{r['endpoint']}`"
    return CpuRow(section, case, fmt(r["requests_per_s"]), r["cpu"])


def cpu_rows(results: Mapping[str, Any]) -> list[CpuRow]:
    """The cases that carry a CPU window, in the report's order: (a), (b), (c), then (d) per process count."""
    closed = [r for r in results.get("closed", []) if r.get("cpu")]
    first = min((r["query_api_workers"] for r in results.get("closed", [])), default=1)
    rows = [_closed("(a)", r) for r in closed if r["query_api_workers"] == first]
    opened = results.get("open")
    if opened and opened.get("cpu"):
        case = f"{TARGET_LABELS['query_api']} `availability`, open loop"
        rows.append(CpuRow("(b)", case, fmt(opened["requests_per_s"]), opened["cpu"]))
    fresh = results.get("freshness")
    if fresh and fresh.get("cpu"):
        visible = fresh["read_model"][0]["throughput"] if fresh.get("read_model") else 0
        rows.append(CpuRow("(c)", "freshness: holds, each read with its token", fmt(visible), fresh["cpu"]))
    rows += [
        _closed(f"(d) {r['query_api_workers']} processes", r)
        for r in closed
        if r["query_api_workers"] != first
    ]
    return rows


def _columns(rows: Sequence[CpuRow]) -> list[str]:
    seen = {name for row in rows for name in row.window["cpu_s"]}
    return [c for c in COMPONENTS if c in seen] + sorted(seen - set(COMPONENTS))


def cpu_section(results: Mapping[str, Any]) -> list[str]:
    """The "Where the CPU goes" table, with how to read it; nothing for a run without CPU windows."""
    rows = cpu_rows(results)
    if not rows:
        return []
    names = _columns(rows)
    body = []
    for row in rows:
        used, seconds = row.window["cpu_s"], row.window["seconds"]
        shares = [_percent(used.get(name, 0.0), seconds) for name in names]
        total = _percent(sum(used.values()), seconds)
        body.append([row.section, row.case, row.rate, f"{seconds:.1f}", *shares, total])
    head = ["section", "case", "req/s", "seconds", *names, "total"]
    cores = results.get("machine", {}).get("cpu_cores")
    machine = f" ({cores * 100}% all {cores} cores)" if cores else ""
    return [
        "## Where the CPU goes\n",
        "Each process's CPU over the case (user + system, from /proc, the process and its children) as a "
        f"share of one core: 100% is one core busy for the whole case{machine}. "
        "A stack process counts with all its workers; PostgreSQL and Kafka count all their processes on "
        f"the machine. `{WRK}`: the case's load generator; `{HOLDS_WRK}`: the background holds; `{BENCH}`: "
        "this benchmark's own process (the client of the freshness loop). CPU seconds = share x seconds.\n",
        table(head, body),
    ]
