"""A seat map from the kept layout and one string of statuses equals the rows read in full."""

from collections.abc import AsyncIterator
from uuid import UUID

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from query_api.database import create_engine, snapshot
from query_api.readers.shows import seat_rows
from query_api.seat_layouts import SeatLayouts
from query_api.views import read_views
from tests.integration.query_api.seed import SeededSchema

pytestmark = pytest.mark.integration


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, 2)
    yield engine
    await engine.dispose()


async def _rows_equal(engine: AsyncEngine, seeded: SeededSchema, layouts: SeatLayouts, show: UUID) -> None:
    views = read_views(seeded.read_schema)
    async with snapshot(engine) as conn:
        built = await layouts.seat_rows(conn, views, show)
        full = await seat_rows(conn, views, show, None)
    assert [tuple(row) for row in built] == [tuple(row) for row in full]
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


async def test_an_unknown_show_has_no_seats(engine: AsyncEngine, seeded: SeededSchema) -> None:
    async with snapshot(engine) as conn:
        rows = await SeatLayouts().seat_rows(conn, read_views(seeded.read_schema), UUID(int=7))
    assert list(rows) == []
