"""The shows on sale in a demo run, and which of their zones look sold out right now."""

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ShowOnSale:
    show_id: str
    title: str
    zone_ids: tuple[str, ...]
    prices: dict[str, int]


# A zone that looked sold out is tried again after this long: holds expire and
# abandoned carts come back, as in a real on-sale.
SOLD_OUT_BACKOFF_SECONDS = 10.0


@dataclass
class Catalog:
    """Shows on sale; ``open_zones`` skips zones that recently answered "no seats"."""

    shows: tuple[ShowOnSale, ...]
    _closed_until: dict[tuple[str, str], float] = field(default_factory=dict)

    def mark_sold_out(self, show_id: str, zone_id: str, now: float) -> None:
        self._closed_until[(show_id, zone_id)] = now + SOLD_OUT_BACKOFF_SECONDS

    def open_zones(self, now: float) -> list[tuple[ShowOnSale, str]]:
        return [
            (show, zone_id)
            for show in self.shows
            for zone_id in show.zone_ids
            if self._closed_until.get((show.show_id, zone_id), 0.0) <= now
        ]
