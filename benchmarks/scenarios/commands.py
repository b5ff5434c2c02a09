"""Commands: accepted holds per second and latency at rising concurrency.

"spread": each hold goes to one of many shows; "hot": everyone wants the same
show (a fresh 8,000-seat show per level), so every command of the level takes
that show's row lock in turn. Each hold asks for the best two seats of a random
zone; a 409 (no two seats left in that zone) is counted, not timed.
"""

import functools
import random
from typing import Any
from uuid import UUID

import httpx

from benchmarks.datagen import layout
from benchmarks.loadgen import closed_loop, http_client
from benchmarks.scenarios.endpoints import CHECKOUT
from benchmarks.scenarios.setup import HOT_ZONES, create_shows, create_venue

SPREAD_SHOWS = 32


async def post_with_retry(
    client: httpx.AsyncClient, url: str, body: dict[str, Any], headers: dict[str, str]
) -> str:
    """POST as a checkout would: a dropped connection (a keep-alive closed by the server
    as the request left) is retried once with the same Idempotency-Key, so it takes effect once."""
    for attempt in range(2):
        try:
            response = await client.post(url, json=body, headers=headers)
        except httpx.TransportError:
            if attempt:
                return "connection_error"
            continue
        return "ok" if response.status_code == 201 else str(response.status_code)
    return "connection_error"


async def measure_commands(
    command_api: str, levels: tuple[int, ...], max_ops: int, max_seconds: float, progress: Any = print
) -> list[dict[str, Any]]:
    rows = []
    rng = random.Random(11)
    async with http_client(max(levels)) as client:
        spread = await create_shows(client, command_api, SPREAD_SHOWS, label="spread")
        hot_venue = await create_venue(client, command_api)
        for scenario in ("spread", "hot"):
            for level in levels:
                if scenario == "hot":
                    shows = await create_shows(
                        client, command_api, 1, hot_venue, label=f"hot on-sale {level}"
                    )
                    zones: tuple[str, ...] = HOT_ZONES
                else:
                    shows, zones = spread, tuple(z for z, _, _ in layout.ZONES)

                async def hold(
                    index: int, shows: list[UUID] = shows, zones: tuple[str, ...] = zones, run: str = ""
                ) -> str:
                    show = shows[index % len(shows)]
                    body = {"customer_id": f"bench-{index}", "zone_id": rng.choice(zones), "quantity": 2}
                    headers = {**CHECKOUT, "Idempotency-Key": f"bench-{run}-{index}"}
                    url = f"{command_api}/v1/shows/{show}/holds"
                    return await post_with_retry(client, url, body, headers)

                summary = await closed_loop(
                    functools.partial(hold, run=f"{scenario}-{level}"), level, max_ops, max_seconds
                )
                rows.append({"scenario": scenario, "concurrency": level, **summary.as_dict()})
                progress(
                    f"  holds {scenario:<6} x{level:<4} {summary.throughput:>8.1f}/s"
                    f"  p50 {summary.p50_ms:>8.2f} ms  p99 {summary.p99_ms:>8.2f} ms"
                    f"  {summary.outcomes}"
                )
    return rows
