"""The whole dashboard under write load: coalesced builds stay exact and fresh, and far fewer than reads.

A writer applies dashboard events one at a time while readers read the
dashboard. After each commit the writer reads, from one snapshot, the version
and the full dashboard (``read_dashboard``), so every version the database
ever held is known with its body. Each answer must then be the body of the
version its ETag names, and that version must be at least as new, show by
show, as what the process's memory held when the reader sent the request.
Builds are slowed down and the readers staggered, so that versions land while
a build runs and readers arrive after them (those must not take that build).
"""

import asyncio
from typing import Any
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts import events
from query_api.dashboard_sections import DashboardSections
from query_api.database import snapshot
from query_api.http.caching import etag_for
from query_api.readers.dashboard import read_dashboard
from query_api.readers.versions import DbVersion, VersionReads
from query_api.views import read_views
from tests.integration.query_api.conftest import Settle
from tests.integration.query_api.seed import SeededSchema

pytestmark = pytest.mark.integration

VARIANT = "dashboard:None:None:None:json"
VIEWER = {"Authorization": "Bearer test-viewer-key"}
SHOWS, EVENTS, READERS = 4, 40, 12
Versions = dict[str, tuple[bytes, dict[UUID, int]]]  # ETag -> body, watermarks


async def _record(engine: AsyncEngine, seeded: SeededSchema, versions: Versions) -> None:
    """The database's current version of the whole dashboard, its body and watermarks, from one snapshot."""
    async with snapshot(engine) as conn:
        version = await VersionReads(seeded.read_schema).all_shows(conn, "dashboard")
        figures = await read_dashboard(conn, read_views(seeded.read_schema))
    versions[etag_for(VARIANT, version.key)] = (
        figures.model_dump_json(by_alias=True).encode(),
        dict(version.marks),
    )


async def _write(engine: AsyncEngine, seeded: SeededSchema, shows: list[UUID], versions: Versions) -> None:
    """One dashboard event at a time (a hold, then its release), each version recorded after its commit."""
    for turn in range(EVENTS):
        show = shows[(turn // 2) % len(shows)]
        if turn % 2 == 0:
            await seeded.hold(show, "B-1-2", to=("dashboard",))
        else:
            hold_id, seats = seeded.shows[show].holds.popitem()
            released = events.HoldReleased(
                hold_id=hold_id, customer_id="c1", seat_ids=seats, reason="released"
            )
            await seeded.publish(show, released, to=("dashboard",))
        await _record(engine, seeded, versions)
        await asyncio.sleep(0.001)


async def test_answers_under_write_load_are_exact_fresh_and_coalesced(
    served: tuple[httpx.AsyncClient, FastAPI], seeded: SeededSchema, settle: Settle, engine: AsyncEngine
) -> None:
    client, app = served
    shows = [await seeded.add_show(f"Show {n}") for n in range(SHOWS)]
    for show in shows:
        await seeded.sell(show, "A-1-1", referrer="aff-1")
    await settle()
    versions: Versions = {}
    await _record(engine, seeded, versions)
    state = app.state.query
    tracker, bodies_built = state.tracker, state.cache.misses
    sections: DashboardSections = state.dashboard
    read = sections.read

    async def slow_read(*args: Any) -> tuple[DbVersion, bytes]:
        """A build that takes a while, as on a loaded machine: versions land while it runs."""
        answer = await read(*args)
        await asyncio.sleep(0.2)
        return answer

    state.dashboard.read = slow_read
    answers: list[tuple[dict[UUID, int], httpx.Response]] = []
    writer = asyncio.create_task(_write(engine, seeded, shows, versions))

    async def reader(n: int) -> None:
        # Half the readers bypass the lean path (a parameter given twice is the route's to read).
        url = "/v1/dashboard" if n % 2 else "/v1/dashboard?format=json&format=json"
        while not writer.done():
            seen = {show: tracker.seq("dashboard", show) or 0 for show in shows}
            answers.append((seen, await client.get(url, headers=VIEWER)))
            await asyncio.sleep((n % 4) * 0.01)  # staggered: some arrive while a build runs

    await asyncio.gather(writer, *(reader(n) for n in range(READERS)))
    built = state.cache.misses - bodies_built
    answered = set()
    for seen, answer in answers:
        assert answer.status_code == 200
        etag = answer.headers["etag"]
        assert etag in versions, "an answer names a version the database never held"
        body, marks = versions[etag]
        assert answer.content == body
        assert all(marks.get(show, 0) >= seq for show, seq in seen.items()), "older than memory at arrival"
        answered.add(etag)
    assert len(answered) > 1  # the answers followed the writes
    assert built <= len(versions)
    assert built * 4 <= len(answers)
