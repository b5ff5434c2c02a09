"""CPU seconds of the benchmarks' processes, from ``/proc``, between two snapshots.

Read from ``/proc/<pid>/stat`` (user + system time of every live process of a
named tree: a process and its descendants) before and after a measurement.
PostgreSQL and Kafka are counted as all their processes on the machine, so
other work on the same server shows up there too. The command benchmark divides
what each process spent by the accepted holds (``per_hold_ms``: the sum over
components bounds the holds per second the machine can take, ``cores x 1000 /
total CPU ms per hold``); the read benchmark by the case's duration
(``benchmarks.reads.cpu_share``).
"""

import os
import resource
from collections.abc import Iterable, Mapping
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def _stat(pid: int) -> tuple[str, int, float] | None:
    """(command name, parent pid, CPU seconds) of a process, or None if it is gone."""
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return name, int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of one process so far (not its children), None once it is gone."""
    stat = _stat(pid)
    return stat[2] if stat is not None else None


def _cmdline(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def snapshot(roots: Mapping[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process tree, and of PostgreSQL and Kafka.

    (A process that starts and ends between two snapshots, like a wrk run, is not
    counted: see :func:`ended_children` for this process's own children.)
    """
    stats = {int(p.name): s for p in PROC.iterdir() if p.name.isdigit() and (s := _stat(int(p.name)))}
    children: dict[int, list[int]] = {}
    for pid, (_, parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)

    def tree(pid: int) -> Iterable[int]:
        yield pid
        for child in children.get(pid, []):
            yield from tree(child)

    totals = {name: sum(stats[p][2] for p in tree(root) if p in stats) for name, root in roots.items()}
    totals["postgresql"] = sum(s[2] for s in stats.values() if s[0] == "postgres")
    totals["kafka"] = sum(s[2] for pid, s in stats.items() if s[0] == "java" and "kafka" in _cmdline(pid))
    return totals


def ended_children() -> float:
    """CPU seconds so far of this process's children that have ended and been waited for
    (``getrusage(RUSAGE_CHILDREN)``): between two readings, the children reaped meanwhile."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def spent(before: Mapping[str, float], after: Mapping[str, float]) -> dict[str, float]:
    """CPU seconds each component of ``before`` spent until ``after`` (a tree that ended meanwhile, 0)."""
    return {name: max(0.0, after.get(name, 0.0) - before.get(name, 0.0)) for name in before}


def per_hold_ms(before: Mapping[str, float], after: Mapping[str, float], accepted: int) -> dict[str, float]:
    """CPU milliseconds per accepted hold of each component, and their ``total``."""
    if accepted <= 0:
        return {}
    out = {name: round(1000 * cpu / accepted, 3) for name, cpu in spent(before, after).items()}
    out["total"] = round(sum(out.values()), 3)
    return out
