"""Venues and shows of the command benchmark, created through the command API like an operator's.

Two venues of 20,000 seats: a hundred 200-seat zones, and one 20,000-seat zone
(``config.PLANS``). Spread cases share a set of shows per venue, replaced by
fresh ones when a case could fill them past ``MAX_FILL``; every hot case gets a
fresh show. Creating a 20,000-seat show takes a moment (its inventory rows, and
the projector folds its seat map), so each creation is timed and reported.
"""

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import psycopg

from benchmarks.commands.config import ZonePlan
from benchmarks.scenarios.endpoints import OPERATOR
from infra.db import libpq_dsn


@dataclass(slots=True)
class Creations:
    """How long each show creation took (seconds, the API's answer time)."""

    seconds: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        values = sorted(self.seconds)
        if not values:
            return {"shows": 0}
        return {
            "shows": len(values),
            "total_s": round(sum(values), 2),
            "median_s": round(values[len(values) // 2], 3),
            "max_s": round(values[-1], 3),
        }


async def create_venue(client: httpx.AsyncClient, command_api: str, plan: ZonePlan) -> UUID:
    zones = [
        {
            "zone_id": zone,
            "name": f"Zone {zone}",
            "rows": [{"row": str(r + 1), "seats": plan.seats_per_row} for r in range(plan.rows)],
        }
        for zone in plan.zone_ids
    ]
    response = await client.post(
        f"{command_api}/v1/venues", json={"name": plan.venue_name, "zones": zones}, headers=OPERATOR
    )
    response.raise_for_status()
    return UUID(response.json()["venue_id"])


async def create_show(
    *,
    client: httpx.AsyncClient,
    command_api: str,
    plan: ZonePlan,
    venue_id: UUID,
    title: str,
    creations: Creations,
) -> UUID:
    starts = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0).isoformat()
    body = {
        "venue_id": str(venue_id),
        "title": title,
        "starts_at": starts,
        "prices": dict.fromkeys(plan.zone_ids, plan.price_cents),
    }
    began = time.monotonic()
    response = await client.post(f"{command_api}/v1/shows", json=body, headers=OPERATOR)
    response.raise_for_status()
    creations.seconds.append(time.monotonic() - began)
    return UUID(response.json()["show_id"])


async def taken_seats(database_url: str, shows: list[UUID]) -> int:
    """Seats of ``shows`` that are held or sold now."""
    async with await psycopg.AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
        cur = await conn.execute(
            "SELECT count(*) FROM write_model.seat_inventory "
            "WHERE show_id = ANY(%s) AND status <> 'available'",
            (shows,),
        )
        row = await cur.fetchone()
    return int(row[0]) if row else 0
