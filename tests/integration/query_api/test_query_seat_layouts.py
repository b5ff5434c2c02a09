"""A seat map from the kept layout and one string of statuses equals the rows read in full, at its version."""

from uuid import UUID

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from query_api.database import snapshot
from query_api.readers.shows import seats_at
from query_api.readers.versions import VersionReads
from query_api.seat_layouts import SeatLayouts
from query_api.views import read_views
from tests.integration.query_api.reference_reads import seat_rows
from tests.integration.query_api.seed import SeededSchema

pytestmark = pytest.mark.integration

PROJECTION = "seat_availability"


async def _rows_equal(engine: AsyncEngine, seeded: SeededSchema, layouts: SeatLayouts, show: UUID) -> None:
    views = read_views(seeded.read_schema)
    read = await layouts.read(engine, views, PROJECTION, show)
    assert read is not None
    async with snapshot(engine) as conn:  # the previous path: version, then rows, in one snapshot
        version = await VersionReads(seeded.read_schema).show(conn, PROJECTION, show)
        full = await seat_rows(conn, views, show, None)
    assert read[0] == version
    assert [tuple(row) for row in read[1]] == [tuple(row) for row in full]
    assert full  # the show has seats


async def test_statuses_over_the_kept_layout_equal_the_full_rows(
    engine: AsyncEngine, seeded: SeededSchema
) -> None:
    layouts = SeatLayouts(max_shows=1)
    hamlet, lear = await seeded.add_show("Hamlet"), await seeded.add_show("Lear")
    await _rows_equal(engine, seeded, layouts, hamlet)
    await seeded.hold(hamlet, "A-1-2", "B-1-1")
    await seeded.sell(hamlet, "A-2-3")
    await _rows_equal(engine, seeded, layouts, hamlet)  # statuses moved, layout kept
    assert layouts.layout_reads == 1
    await _rows_equal(engine, seeded, layouts, lear)  # one layout kept: Hamlet's goes
    await _rows_equal(engine, seeded, layouts, hamlet)
    assert layouts.layout_reads == 3


async def test_a_zone_s_seats_equal_those_of_the_full_rows(engine: AsyncEngine, seeded: SeededSchema) -> None:
    views = read_views(seeded.read_schema)
    show = await seeded.add_show()
    await seeded.hold(show, "A-1-2", "B-1-1")
    for zone in ("A", "B", "no-such-zone"):
        read = await seats_at(engine, views, PROJECTION, show, zone)
        assert read is not None
        async with snapshot(engine) as conn:
            assert read[0] == await VersionReads(seeded.read_schema).show(conn, PROJECTION, show)
            assert read[1] == [tuple(row) for row in await seat_rows(conn, views, show, zone)]
        assert bool(read[1]) == (zone != "no-such-zone")


async def test_an_unknown_show_has_no_seats(engine: AsyncEngine, seeded: SeededSchema) -> None:
    views = read_views(seeded.read_schema)
    assert await SeatLayouts().read(engine, views, PROJECTION, UUID(int=7)) is None
    assert await seats_at(engine, views, PROJECTION, UUID(int=7), "A") is None
