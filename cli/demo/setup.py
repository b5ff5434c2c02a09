"""Putting the demo on sale: one venue and a run of shows, created with the operator key."""

import uuid
from datetime import UTC, datetime

from cli.demo.api import BoxofficeClient, Reply
from cli.demo.catalog import Catalog, ShowOnSale
from cli.demo.layout import DEMO_ZONES, ZoneSpec, show_requests, venue_request


class SetupError(RuntimeError):
    """The stack refused to create the venue or a show; the message says what it answered."""


def _explain(what: str, reply: Reply) -> SetupError:
    answer = f"HTTP {reply.status}" if reply.status is not None else "no answer"
    return SetupError(f"could not create {what}: {answer} {reply.body.get('error', reply.body)}")


async def put_on_sale(
    client: BoxofficeClient, shows: int, zones: tuple[ZoneSpec, ...] = DEMO_ZONES
) -> tuple[Catalog, str]:
    """Create a venue with ``zones`` and ``shows`` shows of it; returns the catalog and the last token.

    Not idempotent across calls by design: every run gets its own venue and shows
    (names carry a random suffix), so runs never disturb each other's figures.
    """
    venue = await client.create_venue(venue_request(uuid.uuid4().hex[:6], zones))
    if not venue.ok or "venue_id" not in venue.body:
        raise _explain("the venue", venue)
    venue_id = str(venue.body["venue_id"])
    on_sale: list[ShowOnSale] = []
    token = ""
    for body in show_requests(venue_id, shows, datetime.now(UTC), zones):
        show = await client.create_show(body)
        if not show.ok or "show_id" not in show.body:
            raise _explain(f"show {body['title']!r}", show)
        token = str(show.body.get("consistency_token", token))
        on_sale.append(
            ShowOnSale(
                show_id=str(show.body["show_id"]),
                title=str(body["title"]),
                zone_ids=tuple(z.zone_id for z in zones),
                prices=dict(body["prices"]),
            )
        )
    return Catalog(tuple(on_sale)), token
