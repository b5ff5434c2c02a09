"""Where a hold's CPU goes: CPU seconds of every process of the stack, per accepted hold.

Read from ``/proc/<pid>/stat`` (user + system time, children included through
the process tree) before and after a case. PostgreSQL and Kafka are counted as
all their processes on the machine, so other work on the same server shows up
there too. The sum over components bounds the holds per second the machine can
take: ``cores x 1000 / total CPU ms per hold``.
"""

import os
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


def _cmdline(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def snapshot(roots: Mapping[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process tree, and of PostgreSQL and Kafka.

    (wrk is not counted: it starts and ends between two snapshots; its own floor is
    measured against /healthz instead.)
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


def per_hold_ms(before: Mapping[str, float], after: Mapping[str, float], accepted: int) -> dict[str, float]:
    """CPU milliseconds per accepted hold of each component, and their ``total``."""
    if accepted <= 0:
        return {}
    spent = {name: max(0.0, after.get(name, 0.0) - before.get(name, 0.0)) for name in before}
    out = {name: round(1000 * cpu / accepted, 3) for name, cpu in spent.items()}
    out["total"] = round(sum(out.values()), 3)
    return out
