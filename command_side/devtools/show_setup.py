"""Putting shows on sale over the command API: the setup the load tools, benchmarks and tests share.

Everything goes through ``POST /v1/venues`` and ``POST /v1/shows`` as an
operator would, so a setup exercises the same validation as production. A
refused request raises ``SetupRefused`` with the API's answer, whatever the
caller (a test, a benchmark or a load tool).
"""

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import uuid4

import httpx

Zone = dict[str, Any]


class SetupRefused(RuntimeError):
    """The command API did not accept a setup request (its status and body are in the message)."""


def zones(zone_ids: Sequence[str], rows: int, seats: int, name: str = "Zone {}") -> list[Zone]:
    """A layout as ``POST /v1/venues`` takes it: each zone ``rows`` rows (named 1..rows) of ``seats`` seats.

    A zone's name is ``name`` formatted with its id.
    """
    row_list = [{"row": str(r), "seats": seats} for r in range(1, rows + 1)]
    return [{"zone_id": z, "name": name.format(z), "rows": row_list} for z in zone_ids]


async def create_venue(
    client: httpx.AsyncClient, headers: Mapping[str, str], layout: Sequence[Zone], name: str | None = None
) -> str:
    """A new venue of ``layout`` (named uniquely unless ``name`` is given); its id."""
    body = {"name": name or f"venue-{uuid4()}", "zones": list(layout)}
    return str(_created(await client.post("/v1/venues", json=body, headers=dict(headers)))["venue_id"])


async def schedule_show(
    client: httpx.AsyncClient,
    headers: Mapping[str, str],
    venue_id: str,
    prices: Mapping[str, int],
    *,
    title: str = "Test show",
    starts_at: str = "2030-01-01T20:00:00Z",
) -> str:
    """A show of ``venue_id`` at ``prices`` (cents by zone id); its id."""
    body = {"venue_id": venue_id, "title": title, "starts_at": starts_at, "prices": dict(prices)}
    return str(_created(await client.post("/v1/shows", json=body, headers=dict(headers)))["show_id"])


async def new_show(
    client: httpx.AsyncClient,
    headers: Mapping[str, str],
    layout: Sequence[Zone],
    prices: Mapping[str, int],
    **show: str,
) -> str:
    """A fresh venue of ``layout`` and a show of it at ``prices`` (``show``: title, starts_at); its id."""
    venue_id = await create_venue(client, headers, layout)
    return await schedule_show(client, headers, venue_id, prices, **show)


def _created(response: httpx.Response) -> dict[str, Any]:
    if response.status_code != 201:
        raise SetupRefused(
            f"{response.request.method} {response.request.url.path}: {response.status_code} {response.text}"
        )
    return dict(response.json())
