"""A dashboard patched from its kept sections (only the moved shows re-read) is, after any sequence of
moves, the bytes of a full build of the same version, and of a build from nothing."""

import random
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts import events
from query_api.dashboard_sections import DashboardSections
from query_api.database import snapshot
from query_api.readers.dashboard import read_dashboard
from query_api.readers.versions import VersionReads
from query_api.views import read_views
from tests.integration.query_api.seed import LAYOUT, SeededSchema

pytestmark = pytest.mark.integration

SEATS = [
    f"{zone}-{row}-{n}" for zone, rows in LAYOUT.items() for row, count in rows for n in range(1, count + 1)
]
DAYS = [datetime(2026, 11, day, 18, 0, tzinfo=UTC) for day in (1, 2, 3)]
REFERRERS = [None, "aff-1", "aff-2", "aff-3"]


class _Moves:
    """Random moves of the seeded shows: holds, releases, sales, new shows (one start time, so the
    by-show order often falls back to the show id), a start time moved."""

    def __init__(self, seeded: SeededSchema, rng: random.Random) -> None:
        self.seeded, self.rng = seeded, rng
        self.free: dict[UUID, list[str]] = {}
        self.held: dict[UUID, list[tuple[UUID, tuple[str, ...]]]] = {}

    async def add_show(self) -> UUID:
        show = await self.seeded.add_show(f"Show {len(self.free)}")
        self.free[show], self.held[show] = list(SEATS), []
        return show

    async def one(self) -> UUID:
        """One move; the show it moved."""
        rng, seeded = self.rng, self.seeded
        kind = rng.choice(["hold", "hold", "release", "sell", "sell", "show", "start"])
        if kind == "show" or not self.free:
            return await self.add_show()
        show = rng.choice(list(self.free))
        free = self.free[show]
        if kind == "release" and self.held[show]:
            hold_id, seats = self.held[show].pop()
            released = events.HoldReleased(
                hold_id=hold_id, customer_id="c1", seat_ids=seats, reason="released"
            )
            seeded.shows[show].holds.pop(hold_id)
            await seeded.publish(show, released)
            free.extend(seats)
            return show
        if (
            kind == "start" and free
        ):  # a start time moved by hand with the show's watermark, as a new seq would
            minutes = rng.choice([0, 30, -30])
            seeded.execute(
                "UPDATE {r}.dashboard_by_show SET starts_at = starts_at + %s WHERE show_id = %s",
                (timedelta(minutes=minutes), show),
            )
            return await self.hold_or_new(show)
        return await self.hold_or_new(show, sell=kind == "sell")

    async def hold_or_new(self, show: UUID, *, sell: bool = False) -> UUID:
        free = self.free[show]
        if not free:
            return await self.add_show()
        seats = tuple(
            free.pop(self.rng.randrange(len(free))) for _ in range(min(len(free), self.rng.randint(1, 2)))
        )
        if sell:
            referrer, paid_at = self.rng.choice(REFERRERS), self.rng.choice(DAYS)
            await self.seeded.sell(show, *seats, referrer=referrer, paid_at=paid_at)
        else:
            self.held[show].append((await self.seeded.hold(show, *seats), seats))
        return show


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_a_patched_dashboard_is_a_full_build_after_any_moves(
    engine: AsyncEngine, seeded: SeededSchema, seed: int
) -> None:
    views, versions = read_views(seeded.read_schema), VersionReads(seeded.read_schema)
    rng, patched = random.Random(seed), DashboardSections()
    moves = _Moves(seeded, rng)
    for _ in range(4):
        await moves.add_show()
    await patched.read(engine, views, versions)
    for _ in range(30):
        moved = {await moves.one() for _ in range(rng.randint(1, 3))}
        reads = patched.reads
        version, body = await patched.read(engine, views, versions)
        assert patched.reads - reads == len(moved)  # only the shows that moved were read again
        async with snapshot(engine) as conn:
            assert (await versions.all_shows(conn, "dashboard")).key == version.key
            full = (await read_dashboard(conn, views)).model_dump_json(by_alias=True).encode()
        assert body == full
        assert (await DashboardSections().read(engine, views, versions)) == (version, body)
