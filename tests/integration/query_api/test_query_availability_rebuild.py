"""An availability rebuild is one statement: one round trip, and the answer of the two reads it replaced."""

from collections.abc import AsyncIterator
from uuid import UUID

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from query_api.database import create_engine, snapshot
from query_api.http.caching import etag_for
from query_api.models import AvailabilityPublic
from query_api.readers.shows import availability_at, zone_availability
from query_api.readers.versions import VersionReads
from query_api.views import read_views
from tests.integration.query_api.conftest import Settle
from tests.integration.query_api.seed import SeededSchema
from tests.support.metrics import Samples

pytestmark = pytest.mark.integration

PROJECTION = "seat_availability"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, 2)
    yield engine
    await engine.dispose()


async def _two_reads(engine: AsyncEngine, seeded: SeededSchema, show_id: UUID) -> tuple[str, bytes] | None:
    """The ETag and body of the previous path: version, then zones, in one REPEATABLE READ snapshot."""
    views = read_views(seeded.read_schema)
    async with snapshot(engine) as conn:
        version = await VersionReads(seeded.read_schema).show(conn, PROJECTION, show_id)
        if version is None:
            return None
        assert version.seq is not None
        zones = await zone_availability(conn, views, show_id)
    body = AvailabilityPublic(show_id=show_id, seq=version.seq, zones=zones).model_dump_json().encode()
    return etag_for(f"availability:{show_id}", version.key), body


async def _roundtrips(client: httpx.AsyncClient) -> float:
    response = await client.get("/metrics")  # answered from memory: no round trip of its own
    assert response.status_code == 200
    return Samples(response.text).value("boxoffice_query_db_roundtrips_sum")


async def test_the_one_statement_reads_what_the_two_reads_of_one_snapshot_read(
    engine: AsyncEngine, seeded: SeededSchema
) -> None:
    views = read_views(seeded.read_schema)
    show_id = await seeded.add_show()
    for move in (seeded.hold(show_id, "A-1-1", "B-1-2"), seeded.sell(show_id, "A-2-1")):
        await move
        read = await availability_at(engine, views, PROJECTION, show_id)
        assert read is not None
        version, zones = read
        async with snapshot(engine) as conn:
            assert version == await VersionReads(seeded.read_schema).show(conn, PROJECTION, show_id)
            assert zones == await zone_availability(conn, views, show_id)
        assert len(zones) > 1  # the show's zones, moved
        assert sum(zone.held for zone in zones) == 2
    assert await availability_at(engine, views, PROJECTION, UUID(int=7)) is None  # no such show


async def test_a_rebuild_costs_one_round_trip_and_answers_as_the_two_reads_did(
    client: httpx.AsyncClient, engine: AsyncEngine, seeded: SeededSchema, settle: Settle, settled_show: UUID
) -> None:
    show_id = settled_show
    url = f"/v1/shows/{show_id}/availability"
    for build in range(2):  # the first build, then a rebuild after holds moved the show
        before = await _roundtrips(client)
        response = await client.get(url)
        assert await _roundtrips(client) - before == 1
        assert response.status_code == 200
        assert (response.headers["etag"], response.content) == await _two_reads(engine, seeded, show_id)
        assert response.headers["cache-control"] == "public, no-cache"
        again = await client.get(url, headers={"If-None-Match": response.headers["etag"]})
        assert (again.status_code, again.headers["etag"]) == (304, response.headers["etag"])
        await seeded.hold(show_id, "A-1-1" if build == 0 else "A-1-2")
        await settle()


async def test_an_unknown_show_is_still_a_404_in_one_round_trip(client: httpx.AsyncClient) -> None:
    before = await _roundtrips(client)
    response = await client.get(f"/v1/shows/{UUID(int=7)}/availability")
    assert await _roundtrips(client) - before == 1
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "show_not_found"
