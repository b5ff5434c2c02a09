"""The demo venue and its run of shows, as the request bodies the command API takes.

Pure: builds plain dicts from a seed, so the same seed gives the same venue and
shows (only the names carry a random suffix, so runs never collide).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any


@dataclass(frozen=True, slots=True)
class ZoneSpec:
    zone_id: str
    name: str
    rows: int
    seats_per_row: int
    price_cents: int

    @property
    def capacity(self) -> int:
        return self.rows * self.seats_per_row


# A mid-size theatre: a few thousand seats in zones of different sizes and prices,
# so the dashboard's per-zone occupancy has something to compare.
DEMO_ZONES: tuple[ZoneSpec, ...] = (
    ZoneSpec("VIP", "Boxes", 4, 12, 15000),
    ZoneSpec("A", "Stalls", 30, 40, 8900),
    ZoneSpec("B", "Dress Circle", 16, 36, 6500),
    ZoneSpec("C", "Balcony", 14, 30, 3900),
)

SHOW_TITLES: tuple[str, ...] = (
    "The Tempest",
    "Carmen",
    "A Midsummer Night's Dream",
    "Swan Lake",
    "Hamlet",
    "The Magic Flute",
    "Cyrano de Bergerac",
    "La Boheme",
)

REFERRERS: tuple[str, ...] = ("newsletter", "radio_ad", "partner_tix", "social", "street_poster")


def venue_capacity(zones: tuple[ZoneSpec, ...] = DEMO_ZONES) -> int:
    return sum(z.capacity for z in zones)


def venue_request(suffix: str, zones: tuple[ZoneSpec, ...] = DEMO_ZONES) -> dict[str, Any]:
    """Body of ``POST /v1/venues``: zones of numbered rows (row names ``1``..``n``)."""
    return {
        "name": f"Demo Hall {suffix}",
        "zones": [
            {
                "zone_id": z.zone_id,
                "name": z.name,
                "rows": [{"row": str(r), "seats": z.seats_per_row} for r in range(1, z.rows + 1)],
            }
            for z in zones
        ],
    }


def show_requests(
    venue_id: str,
    count: int,
    now: datetime,
    zones: tuple[ZoneSpec, ...] = DEMO_ZONES,
) -> list[dict[str, Any]]:
    """Bodies of ``POST /v1/shows``: one evening performance a day from tomorrow.

    Later shows are a little cheaper, so revenue per show differs visibly.
    """
    first = (now.astimezone(UTC) + timedelta(days=1)).replace(hour=19, minute=30, second=0, microsecond=0)
    bodies = []
    for i in range(count):
        discount = 100 - 5 * (i % 4)
        bodies.append(
            {
                "venue_id": venue_id,
                "title": SHOW_TITLES[i % len(SHOW_TITLES)],
                "starts_at": (first + timedelta(days=i)).isoformat(),
                "prices": {z.zone_id: z.price_cents * discount // 100 for z in zones},
            }
        )
    return bodies
