"""The whole dashboard from per-show sections equals a full rebuild and re-reads only the shows that moved."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from query_api.dashboard_sections import DashboardSections
from query_api.database import snapshot
from query_api.readers.dashboard import read_dashboard
from query_api.readers.versions import VersionReads
from query_api.views import read_views
from tests.integration.query_api.seed import SeededSchema

pytestmark = pytest.mark.integration

NOV_1 = datetime(2026, 11, 1, 18, 0, tzinfo=UTC)
NOV_2 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def _built_and_full(engine: AsyncEngine, seeded: SeededSchema, sections: DashboardSections) -> bytes:
    """The sectioned body (one round trip) and a full rebuild of the same version; asserts they are the
    same bytes (nothing is written meanwhile, so the second snapshot holds the same version)."""
    views, versions = read_views(seeded.read_schema), VersionReads(seeded.read_schema)
    version, built = await sections.read(engine, views, versions)
    async with snapshot(engine) as conn:
        assert (await versions.all_shows(conn, "dashboard")).key == version.key
        full = (await read_dashboard(conn, views)).model_dump_json(by_alias=True).encode()
    assert built == full
    return built


async def test_sections_equal_a_full_rebuild_as_shows_move(engine: AsyncEngine, seeded: SeededSchema) -> None:
    sections = DashboardSections()
    assert b'"by_show":[]' in await _built_and_full(engine, seeded, sections)  # no show yet
    # Three shows starting at the same time: the by-show order falls back to the show id.
    hamlet, lear, tempest = [await seeded.add_show(t) for t in ("Hamlet", "Lear", "Tempest")]
    await seeded.sell(hamlet, "A-1-1", "B-1-1", referrer="aff-1", paid_at=NOV_1)
    await seeded.sell(lear, "A-2-1", referrer="aff-2", paid_at=NOV_2)
    await _built_and_full(engine, seeded, sections)
    assert sections.reads == 3

    await seeded.hold(tempest, "A-1-3")  # only the Tempest moves (and the totals)
    body = await _built_and_full(engine, seeded, sections)
    assert sections.reads == 4
    assert b'"live_holds":1' in body

    await seeded.sell(lear, "B-1-2", referrer="aff-1", paid_at=NOV_1)  # sales by day and referrers move
    await _built_and_full(engine, seeded, sections)
    assert sections.reads == 5

    await _built_and_full(engine, seeded, sections)  # nothing moved: no section read
    assert sections.reads == 5


async def test_a_swap_drops_every_section(engine: AsyncEngine, seeded: SeededSchema) -> None:
    sections = DashboardSections()
    for title in ("Hamlet", "Lear"):
        show = await seeded.add_show(title)
        await seeded.sell(show, "A-1-1", referrer="aff-1", paid_at=NOV_1)
    await _built_and_full(engine, seeded, sections)
    await seeded.replay("dashboard")  # same rows and watermarks, under a new label
    await _built_and_full(engine, seeded, sections)
    assert sections.reads == 4
