"""Load generation: closed loop at fixed concurrency, and open loop at a fixed rate.

Both are bounded by a count and by a time budget. Latency is measured around
each operation with ``time.perf_counter``; an operation reports whether it
succeeded, and failures are counted, not timed.
"""

import asyncio
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

import httpx

Operation = Callable[[int], Awaitable[str]]  # index -> outcome ("ok" or an error label)


@dataclass(frozen=True, slots=True)
class Summary:
    """Latency percentiles (milliseconds) and throughput of the successful operations."""

    ok: int
    failed: int
    seconds: float
    throughput: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    outcomes: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize(latencies_s: list[float], outcomes: Counter[str], seconds: float) -> Summary:
    values = sorted(v * 1000 for v in latencies_s)
    ok = outcomes.get("ok", 0)
    return Summary(
        ok=ok,
        failed=sum(outcomes.values()) - ok,
        seconds=round(seconds, 3),
        throughput=round(ok / seconds, 1) if seconds > 0 else 0.0,
        p50_ms=round(percentile(values, 50), 2),
        p99_ms=round(percentile(values, 99), 2),
        max_ms=round(values[-1], 2) if values else 0.0,
        mean_ms=round(sum(values) / len(values), 2) if values else 0.0,
        outcomes=dict(outcomes),
    )


async def closed_loop(operation: Operation, concurrency: int, max_ops: int, max_seconds: float) -> Summary:
    """``concurrency`` workers run operations back to back until ``max_ops`` or ``max_seconds``."""
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    counter = iter(range(max_ops))
    started = time.perf_counter()
    deadline = started + max_seconds

    async def worker() -> None:
        for index in counter:
            if time.perf_counter() >= deadline:
                return
            begin = time.perf_counter()
            outcome = await operation(index)
            outcomes[outcome] += 1
            if outcome == "ok":
                latencies.append(time.perf_counter() - begin)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return summarize(latencies, outcomes, time.perf_counter() - started)


async def open_loop(
    operation: Callable[[int], Awaitable[tuple[str, float]]], rate: float, seconds: float, max_in_flight: int
) -> tuple[Summary, float]:
    """Start operations at ``rate`` per second for ``seconds``; each returns (outcome, value seconds).

    Returns the summary of the values and the rate actually achieved. Starts are
    skipped (counted as "shed") while ``max_in_flight`` operations are running.
    """
    values: list[float] = []
    outcomes: Counter[str] = Counter()
    in_flight: set[asyncio.Task[None]] = set()
    started = time.perf_counter()

    async def one(index: int) -> None:
        outcome, value = await operation(index)
        outcomes[outcome] += 1
        if outcome == "ok":
            values.append(value)

    index = 0
    while (now := time.perf_counter()) - started < seconds:
        due = started + index / rate
        if due > now:
            await asyncio.sleep(due - now)
        if len(in_flight) >= max_in_flight:
            outcomes["shed"] += 1
        else:
            task = asyncio.create_task(one(index))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        index += 1
    issued = time.perf_counter() - started
    if in_flight:
        await asyncio.gather(*in_flight)
    return summarize(values, outcomes, time.perf_counter() - started), round(index / issued, 1)


def http_client(concurrency: int) -> httpx.AsyncClient:
    """A keep-alive client with a connection per worker (loopback only)."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(120.0))
