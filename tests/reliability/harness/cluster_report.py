"""The cluster scenario's figures as files: ``var/reliability/cluster-latest.json`` and ``.md``.

The JSON is every figure the scenario recorded; the markdown is the short
table docs/reliability.md quotes (commands accepted, events, kills, takeover
times, replica lag under load, token reads, anything lost).
"""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra.settings import ServiceSettings


def report_dir() -> Path:
    return ServiceSettings().state_dir / "reliability"


def markdown(result: dict[str, Any]) -> str:
    """The figures a reader of docs/reliability.md wants, one line each."""
    load, topic = result["load"], result["topic"]
    lag, reads = result["replica_lag"], result["token_reads"]
    accepted = sum(load["accepted"].values())
    topic_line = (
        f"{topic['events']:,} ({topic['records']:,} records, {topic['resent_duplicates']} re-sent duplicates)"
    )
    lag_line = (
        f"p50 {lag.get('p50_ms')} ms, p99 {lag.get('p99_ms')} ms, max {lag.get('max_ms')} ms "
        f"({lag['samples']} samples)"
    )
    token_line = "; ".join(f"{api}: {_kinds(c)}" for api, c in reads["by_query_api"].items())
    rows = [
        ("commands accepted", f"{accepted:,} ({_kinds(load['accepted'])}) in {load['journeys']:,} journeys"),
        ("answers by status", _kinds(load["by_status"])),
        ("events on the topic", topic_line),
        *_fault_rows(result["faults"]),
        ("replica replay lag under load", lag_line),
        ("reads with a token", f"{token_line}; stale: {reads['stale']}"),
        ("replica views equal to the primary's", f"{result['replica_view_rows_equal_primary']:,} rows"),
        ("read models equal to a replay", f"{result['read_model']['view_rows_compared_with_replay']:,} rows"),
        ("lost", str(result["lost"])),
        ("wall time", f"{result['wall_seconds']} s"),
    ]
    lines = ["| figure | value |", "| --- | --- |", *(f"| {k} | {v} |" for k, v in rows)]
    return "\n".join(lines) + "\n"


def _fault_rows(faults: dict[str, Any]) -> list[tuple[str, str]]:
    broker, replica = faults["kafka_node_sigkilled"], faults["replica_stopped"]
    api = faults["command_api_sigkilled"]
    survivors = faults["projector_instances_sigkilled"]["survivor_past_the_kill_seconds"]
    return [
        (
            "Kafka node SIGKILLed",
            f"{broker['node']} down {broker['down_seconds']} s: {broker['accepted_while_down']} commands "
            f"accepted, {broker['published_while_down']} events published, "
            f"{broker['projected_while_down']} projected meanwhile; restarted: answering "
            f"{broker['restarted_answering_seconds']} s later, every partition in sync again "
            f"{broker['restarted_back_in_sync_seconds']} s later; {broker['token_reads_behind_then']} reads "
            "answered 503 projection_behind while it was down and as long again after its restart",
        ),
        (
            "relay leader SIGKILLed",
            f"the standby took over in {faults['relay_leader_sigkilled']['takeover_seconds']} s",
        ),
        (
            "one projector instance of each projection SIGKILLed",
            "the survivor passed the topic's end at the kill in "
            + ", ".join(f"{name} {seconds} s" for name, seconds in survivors.items()),
        ),
        (
            "command API SIGKILLed",
            f"{api['accepted_by_the_survivor_in_5s']} commands accepted by the survivor in the next 5 s; "
            f"{api['requests_retried_on_the_survivor']} requests met the dead one and were retried",
        ),
        (
            "replica stopped",
            f"{replica['down_seconds']} s, caught up {replica['caught_up_after_restart_seconds']} s after "
            f"its restart; its query API meanwhile: {_kinds(replica['replica_reads_meanwhile'])}",
        ),
    ]


def _kinds(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in counts.items()) or "none"


def write_report(result: dict[str, Any]) -> Path:
    """Write both files (the JSON stamped with the time of the run); returns the markdown's path."""
    directory = report_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stamped = {"finished_at": datetime.now(UTC).isoformat(timespec="seconds"), **result}
    (directory / "cluster-latest.json").write_text(json.dumps(stamped, indent=1, default=str) + "\n")
    path = directory / "cluster-latest.md"
    path.write_text(f"Run finished {stamped['finished_at']}.\n\n" + markdown(result))
    return path
