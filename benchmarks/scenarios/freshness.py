"""Freshness: how long after a command is accepted its effect is visible in a read.

Read model, measured: an open loop issues holds at a steady rate; as soon as
the command API answers (accepted, committed) the client asks the query API
for the show's availability with the command's ``consistency_token`` and
``wait_ms=5000``. The time from the command's answer to that read's 200 is the
staleness a reader could have seen (it includes one read round trip).

Baseline, derived: a cached answer is served unchanged until its TTL passes,
so for reads arriving uniformly a change stays invisible for U(0, TTL).
"""

import random
import time
from typing import Any
from uuid import UUID

from benchmarks.config import AVAILABILITY_TTL_SECONDS, DASHBOARD_TTL_SECONDS
from benchmarks.datagen import layout
from benchmarks.loadgen import http_client, open_loop
from benchmarks.scenarios.endpoints import CHECKOUT, Endpoints


def baseline_staleness(ttl: float) -> dict[str, float]:
    return {"ttl_s": ttl, "p50_s": ttl * 0.5, "p99_s": round(ttl * 0.99, 2), "max_s": ttl}


async def measure_freshness(
    endpoints: Endpoints, shows: list[UUID], rates: list[float], seconds: float
) -> dict[str, Any]:
    """The read model's freshness at each command rate (rising), and the baseline's derived staleness."""
    rows = [await _at_rate(endpoints, shows, rate, seconds) for rate in rates]
    return {
        "read_model": rows,
        "baseline": {
            "availability": baseline_staleness(AVAILABILITY_TTL_SECONDS),
            "dashboard": baseline_staleness(DASHBOARD_TTL_SECONDS),
        },
    }


async def _at_rate(endpoints: Endpoints, shows: list[UUID], rate: float, seconds: float) -> dict[str, Any]:
    rng = random.Random(5)
    zones = [z for z, _, _ in layout.ZONES]
    command_ms: list[float] = []
    async with http_client(1000) as client:

        async def command_then_read(index: int) -> tuple[str, float]:
            show = shows[index % len(shows)]
            body = {"customer_id": f"fresh-{index}", "zone_id": rng.choice(zones), "quantity": 1}
            begin = time.perf_counter()
            response = await client.post(
                f"{endpoints.command_api}/v1/shows/{show}/holds", json=body, headers=CHECKOUT
            )
            accepted = time.perf_counter()
            if response.status_code != 201:
                return f"command {response.status_code}", 0.0
            command_ms.append((accepted - begin) * 1000)
            token = response.json()["consistency_token"]
            read = await client.get(
                f"{endpoints.query_api}/v1/shows/{show}/availability",
                params={"consistency_token": token, "wait_ms": 5000},
            )
            if read.status_code != 200:
                return f"read {read.status_code}", 0.0
            return "ok", time.perf_counter() - accepted

        summary, achieved = await open_loop(command_then_read, rate, seconds, max_in_flight=800)
    command_ms.sort()
    return {
        "target_rate": rate,
        "achieved_rate": achieved,
        **summary.as_dict(),
        "command_p50_ms": round(command_ms[len(command_ms) // 2], 2) if command_ms else 0.0,
    }
