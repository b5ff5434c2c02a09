"""The opening every wrk benchmark's report (commands, reads) shares: durability first, then the run.

The durability paragraph states the reading after the run when that one was
not durable (a server switched during the run), else the reading before it.
"""

from typing import Any

from benchmarks.commands.durability import Durability, durability_lines


def durability_paragraph(record: dict[str, Any]) -> str:
    """The report's first paragraph, from the results' ``durability`` record."""
    before = Durability(**record["before"])
    after = Durability(**record["after"]) if record.get("after") else None
    shown = after if after is not None and not after.durable else before
    return "\n".join(durability_lines(shown)) + "\n"


def run_sentence(meta: dict[str, Any], machine: dict[str, Any]) -> str:
    """ "Run `<id>` started ..., took ... s, on <n> cores (<model>); load average ... at the start, ...
    at the end" (no final stop: each report goes on with its own set-up)."""
    return (
        f"Run `{meta['run_id']}` started {meta['started_at']}, took {meta['duration_s']} s, on "
        f"{machine.get('cpu_cores', '?')} cores ({machine.get('cpu_model', '?')}); load average "
        f"{machine.get('load_average_at_start', '?')} at the start, {meta['load_average_at_end']} at the end"
    )
