"""A hot case's figures from its counts and CPU seconds (``hot_best``), without dividing by zero."""


def case_figures(
    *,
    accepted: int,
    requests: int,
    refused: int,
    wall: float,
    api_cpu: float,
    pg_cpu: float,
    fallbacks: float,
) -> dict[str, float]:
    """A case's rates and CPU per accepted hold and per request (ms); a case that accepted
    nothing (or sent nothing) reports NaN per hold rather than dividing by zero."""
    per_hold = accepted or float("nan")
    per_request = requests or float("nan")
    return {
        "holds_per_s": accepted / wall,
        "accepted": accepted,
        "requests": requests,
        "refused": refused,
        "other": requests - accepted - refused,
        "api_cpu_ms": api_cpu * 1000 / per_hold,
        "pg_cpu_ms": pg_cpu * 1000 / per_hold,
        "pg_cpu_per_req_ms": pg_cpu * 1000 / per_request,
        "fallbacks_per_hold": fallbacks / per_hold,
    }


def holds_ratio(small: float, large: float) -> str:
    """The 20,000-seat zone's holds/s over the 200-seat zones', or "n/a" when the latter is 0."""
    return f"{large / small:.2f}" if small > 0 else "n/a (no 200-seat hold accepted)"
