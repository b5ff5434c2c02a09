"""Shows for the command measurements, created through the command API like any operator's."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx

from benchmarks.datagen import layout
from benchmarks.scenarios.endpoints import OPERATOR

HOT_ZONES = tuple(f"H{i}" for i in range(8))  # eight zones of 20 rows of 50: 8,000 seats


async def create_venue(client: httpx.AsyncClient, command_api: str) -> UUID:
    """A large venue for hot on-sales."""
    zones = [
        {"zone_id": z, "name": f"Hot zone {z}", "rows": [{"row": str(r + 1), "seats": 50} for r in range(20)]}
        for z in HOT_ZONES
    ]
    response = await client.post(
        f"{command_api}/v1/venues", json={"name": "Hot venue", "zones": zones}, headers=OPERATOR
    )
    response.raise_for_status()
    return UUID(response.json()["venue_id"])


async def create_shows(
    client: httpx.AsyncClient, command_api: str, count: int, venue_id: UUID | None = None, label: str = "show"
) -> list[UUID]:
    """``count`` shows of ``venue_id`` (default: the benchmark hall), a month ahead."""
    if venue_id is None:
        venue_id, prices = layout.VENUE_ID, {z: p for z, _, p in layout.ZONES}
    else:
        prices = dict.fromkeys(HOT_ZONES, 6_000)
    starts = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0).isoformat()
    shows = []
    for i in range(count):
        body: dict[str, Any] = {
            "venue_id": str(venue_id),
            "title": f"{label} {i + 1}",
            "starts_at": starts,
            "prices": prices,
        }
        response = await client.post(f"{command_api}/v1/shows", json=body, headers=OPERATOR)
        response.raise_for_status()
        shows.append(UUID(response.json()["show_id"]))
    return shows
