"""The whole dashboard from per-show sections equals a full rebuild and re-reads only the shows that moved."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from infra.db import sqlalchemy_url
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


# Text that JSON must escape, and text it must not: quotes, backslashes, control characters (those with
# a short escape and those without), non-ASCII letters, an emoji, DEL and a slash.
AWKWARD = 'Le "Roi" \\ Lear\n\t\r\b\f\x01\x1f été 🎭 \x7f/ <b>&'


async def test_the_figures_postgresql_writes_equal_pydantic_s_for_awkward_text(
    engine: AsyncEngine, seeded: SeededSchema
) -> None:
    """Titles, zone names and referrers of any text, zones in an order that collation decides, ties in
    revenue and days: PostgreSQL's JSON of them is pydantic's, byte for byte."""
    sections = DashboardSections()
    layout = {"b": [("1", 2)], "B": [("1", 2)], "a_1": [("1", 2)], "A": [("1", 2)], "_9": [("1", 1)]}
    odd = await seeded.add_show(AWKWARD, layout=layout)
    seeded.execute("UPDATE {r}.dashboard_by_zone SET name = %s WHERE zone_id = 'b'", (AWKWARD,))
    plain = await seeded.add_show("Hamlet")
    await seeded.sell(plain, "A-1-1", referrer=AWKWARD, paid_at=NOV_2)
    await seeded.sell(plain, "A-1-2", "A-1-3", referrer="aff-1", paid_at=NOV_1)  # most revenue, later id
    await seeded.sell(plain, "B-1-2", referrer="aff-3", paid_at=NOV_2)  # the same revenue: by id
    await seeded.sell(plain, "B-1-1", referrer="aff-2", paid_at=NOV_1)
    await seeded.sell(plain, "A-2-1", referrer=None, paid_at=NOV_2)
    body = await _built_and_full(engine, seeded, sections)
    assert body.count('"Roi\\" \\\\ Lear\\n\\t\\r\\b\\f\\u0001\\u001f été 🎭 \x7f/ <b>&"'.encode()) == 3
    await seeded.hold(odd, "A-1-1", "b-1-2")
    await _built_and_full(engine, seeded, sections)
    assert sections.reads == 3


async def test_start_times_are_written_as_pydantic_writes_them_in_any_session_time_zone(
    database_url: str, seeded: SeededSchema
) -> None:
    """The moved shows' rows come as JSON and are shaped by pydantic: a session whose time zone is not
    UTC (an offset of 5:30, a start with microseconds) still gets the full rebuild's bytes."""
    sections = DashboardSections()
    await seeded.add_show("Hamlet")
    later = await seeded.add_show("Lear")
    seeded.execute(
        "UPDATE {r}.dashboard_by_show SET starts_at = starts_at + interval '0.25 seconds' WHERE show_id = %s",
        (later,),
    )
    engine = create_async_engine(
        sqlalchemy_url(database_url),
        connect_args={"options": "-c TimeZone=Asia/Kolkata"},
        isolation_level="REPEATABLE READ",
    )
    try:
        body = await _built_and_full(engine, seeded, sections)
    finally:
        await engine.dispose()
    assert b'"starts_at":"2031-05-02T01:00:00+05:30"' in body
    assert b'"starts_at":"2031-05-02T01:00:00.250000+05:30"' in body
