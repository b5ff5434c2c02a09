"""Reads: availability, seat map and dashboard of each design, at fixed concurrency.

Every design gets one warm-up pass over its paths first (not measured): that
fills the cached baseline's cache, the query API's body cache and every
connection pool. The cold baseline's cache is off, so each of its requests runs
the aggregation. Requests spread round-robin over the same sampled shows.

A case whose slowest warm-up request took ``SLOW_REQUEST_S`` or more (the cold
baseline's dashboard at a million orders, tens of seconds each) is measured
with ``SLOW_REQUESTS`` requests one after another instead of the closed loop,
so that it cannot hold a run for minutes; its row says ``bounded``.
"""

import math
import time
from dataclasses import replace
from typing import Any
from uuid import UUID

import httpx

from benchmarks.config import ReadLoad
from benchmarks.loadgen import closed_loop, http_client
from benchmarks.scenarios.endpoints import DESIGNS, ENDPOINTS, FILTERED, VIEWER, Endpoints

SLOW_REQUEST_S = 5.0
SLOW_REQUESTS = 2


def bounded(load: ReadLoad, slowest_s: float) -> ReadLoad:
    """The load for a case whose slowest warm-up request took ``slowest_s``: ``load`` itself, or past
    ``SLOW_REQUEST_S`` ``SLOW_REQUESTS`` requests by one client, with no time budget to cut them."""
    if slowest_s < SLOW_REQUEST_S:
        return load
    return replace(load, concurrency=1, requests=SLOW_REQUESTS, seconds=math.inf)


def paths(endpoint: str, shows: list[UUID]) -> list[str]:
    if endpoint == "dashboard":
        return ["/v1/dashboard"]
    if endpoint == "dashboard_show":
        return [f"/v1/dashboard?show_id={show}" for show in shows]
    if endpoint == "dashboard_range":
        return ["/v1/dashboard?from=2000-01-01&to=2999-12-31"]
    return [f"/v1/shows/{show}/{endpoint}" for show in shows]


async def measure_one(
    client: httpx.AsyncClient, base: str, targets: list[str], load: ReadLoad
) -> dict[str, Any]:
    slowest = 0.0
    for path in targets:  # warm-up
        began = time.perf_counter()
        (await client.get(base + path, headers=VIEWER)).raise_for_status()
        slowest = max(slowest, time.perf_counter() - began)
    measured = bounded(load, slowest)

    async def read(index: int) -> str:
        response = await client.get(base + targets[index % len(targets)], headers=VIEWER)
        return "ok" if response.status_code == 200 else str(response.status_code)

    summary = await closed_loop(read, measured.concurrency, measured.requests, measured.seconds)
    return {"concurrency": measured.concurrency, "bounded": measured != load, **summary.as_dict()}


async def measure_reads(
    endpoints: Endpoints, shows: list[UUID], load: ReadLoad, orders: int, progress: Any = print
) -> list[dict[str, Any]]:
    """One row per (endpoint, design) at this data size, then the filtered dashboards (read model only)."""
    rows = []
    async with http_client(load.concurrency) as client:
        for endpoint in ENDPOINTS:
            for design in DESIGNS:
                result = await measure_one(client, endpoints.base(design), paths(endpoint, shows), load)
                rows.append({"orders": orders, "endpoint": endpoint, "design": design, **result})
                _report(progress, endpoint, design, result)
        for endpoint in FILTERED:
            result = await measure_one(client, endpoints.query_api, paths(endpoint, shows), load)
            rows.append({"orders": orders, "endpoint": endpoint, "design": "read_model", **result})
            _report(progress, endpoint, "read_model", result)
    return rows


def _report(progress: Any, endpoint: str, design: str, result: dict[str, Any]) -> None:
    progress(
        f"  reads {endpoint:<15} {design:<16} p50 {result['p50_ms']:>9.2f} ms"
        f"  p99 {result['p99_ms']:>9.2f} ms  {result['throughput']:>8.1f}/s"
    )
