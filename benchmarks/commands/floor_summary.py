"""The one-client hold's p50 in parts, against its floor and its bound (``latency_floor``'s figures)."""

from typing import Any


def breakdown(figures: dict[str, Any]) -> dict[str, float]:
    """The HTTP hold's p50 in parts (ms), its ratio to the commit floor, and to its bound.

    The bound is what a one-client hold cannot go below without less work: the
    commit floor's wait (its p50 less its own CPU, client and backend: the WAL
    flush and the network), its round trips beyond the commit's (``hold_round_trips``
    less one; results without that figure are of a two-round-trip hold), and the CPU
    of the command API and of its PostgreSQL backend per hold (one client: none of
    it overlaps).
    """
    commit = figures["commit"]["p50_ms"]
    round_trip = (figures.get("hold_round_trips", 2) - 1) * figures["round_trip"]["p50_ms"]
    hold, command = figures["hold_http"]["p50_ms"], figures["hold_command"]["p50_ms"]
    flush = max(0.0, commit - figures["commit"]["cpu_ms"])
    bound = flush + round_trip + figures["hold_http"]["cpu_ms"] + figures["backend_cpu_ms"]
    return {
        "hold_p50_ms": hold,
        "commit_floor_ms": commit,
        "second_round_trip_ms": round_trip,
        "http_layer_ms": round(hold - command, 3),
        "command_work_ms": round(command - commit - round_trip, 3),
        "command_cpu_ms": figures["hold_command"]["cpu_ms"],
        "hold_over_commit": round(hold / commit, 2) if commit else 0.0,
        "hold_over_floor": round(hold / (commit + round_trip), 2) if commit + round_trip else 0.0,
        "backend_cpu_ms": figures["backend_cpu_ms"],
        "commit_wait_ms": round(flush, 3),
        "bound_ms": round(bound, 3),
        "run_queue_wait_ms": figures["run_queue_wait_ms"],
        "hold_over_bound": round(hold / bound, 2) if bound else 0.0,
    }


def summary(result: dict[str, Any]) -> str:
    """One paragraph of the figures (the report's line, and this module's output)."""
    b = result["breakdown"]
    p50 = {k: result[k]["p50_ms"] for k in ("round_trip", "commit", "http", "hold_command", "hold_http")}
    return (
        f"Latency floor ({result['durability']}, one client, in process): a round trip "
        f"{p50['round_trip']} ms, a durable commit (UPDATE + INSERT + COMMIT, one pipeline) "
        f"{p50['commit']} ms, /healthz through "
        f"the app {p50['http']} ms; an explicit hold {p50['hold_http']} ms through the app, "
        f"{p50['hold_command']} ms without HTTP (p50s). The hold is {b['hold_over_commit']}x the commit "
        f"floor and {b['hold_over_floor']}x its round trips' floor (commit + the others): "
        f"commit {b['commit_floor_ms']} + other round trips {b['second_round_trip_ms']} + HTTP layer "
        f"{b['http_layer_ms']} + the command's own work {b['command_work_ms']} ms (of which "
        f"{b['command_cpu_ms']} ms CPU in the command API's process, per hold on average). Its bound "
        f"(the commit floor's {b['commit_wait_ms']} ms of waiting, its other round trips, the command API's "
        f"{result['hold_http']['cpu_ms']} ms and "
        f"PostgreSQL's {b['backend_cpu_ms']} ms of CPU per hold) is {b['bound_ms']} ms: the hold's p50 is "
        f"{b['hold_over_bound']}x that bound; the command API and its backend also waited "
        f"{b['run_queue_wait_ms']} ms per hold for a core (load average {result['load_1m']})."
    )
