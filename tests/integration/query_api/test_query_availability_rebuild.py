"""A rebuild of a show's availability or seat map is one statement: one round trip, and the answer of the
reads of one snapshot it replaced."""

import asyncio
from uuid import UUID

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from query_api import seatmap
from query_api.database import snapshot
from query_api.http.caching import etag_for
from query_api.models import AvailabilityPublic
from query_api.readers.shows import availability_at
from query_api.readers.versions import VersionReads
from query_api.views import read_views
from tests.integration.query_api.conftest import Settle
from tests.integration.query_api.reference_reads import seat_rows, zone_availability
from tests.integration.query_api.seed import SeededSchema
from tests.support.metrics import Samples

pytestmark = pytest.mark.integration

PROJECTION = "seat_availability"


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


async def _seat_map(
    engine: AsyncEngine, seeded: SeededSchema, show_id: UUID, zone_id: str | None, compact: bool
) -> tuple[str, bytes]:
    """The ETag and body of the previous seat map path: version, then rows, in one snapshot."""
    async with snapshot(engine) as conn:
        version = await VersionReads(seeded.read_schema).show(conn, PROJECTION, show_id)
        assert version is not None
        assert version.seq is not None
        rows = await seat_rows(conn, read_views(seeded.read_schema), show_id, zone_id)
    encode = seatmap.compact_json if compact else seatmap.full_json
    variant = f"seats:{show_id}:{zone_id}:{'compact' if compact else 'full'}"
    return etag_for(variant, version.key), encode(show_id, version.seq, rows)


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


async def test_a_seat_map_rebuild_costs_one_round_trip_and_answers_as_before(
    client: httpx.AsyncClient, engine: AsyncEngine, seeded: SeededSchema, settle: Settle, settled_show: UUID
) -> None:
    show_id = settled_show
    for build, seat in enumerate(("A-1-1", "B-1-2", "A-2-3")):  # first builds, then rebuilds
        for zone_id, compact in ((None, False), (None, True), ("A", False), ("B", True)):
            params = {"format": "compact" if compact else "full"} | ({"zone_id": zone_id} if zone_id else {})
            before = await _roundtrips(client)
            response = await client.get(f"/v1/shows/{show_id}/seats", params=params)
            # the layout is read in full on the very first build, then only the statuses
            assert await _roundtrips(client) - before == 1, (build, zone_id, compact)
            assert response.status_code == 200
            expected = await _seat_map(engine, seeded, show_id, zone_id, compact)
            assert (response.headers["etag"], response.content) == expected
        await seeded.hold(show_id, seat)
        await settle()


async def test_an_unknown_zone_is_still_a_404_and_an_unknown_show_too(
    client: httpx.AsyncClient, settled_show: UUID
) -> None:
    zone = await client.get(f"/v1/shows/{settled_show}/seats", params={"zone_id": "Z"})
    assert zone.status_code == 404
    assert zone.json()["error"]["code"] == "zone_not_found"
    show = await client.get(f"/v1/shows/{UUID(int=7)}/seats")
    assert show.status_code == 404
    assert show.json()["error"]["code"] == "show_not_found"


async def test_concurrent_rebuilds_of_one_version_share_one_statement(
    client: httpx.AsyncClient, seeded: SeededSchema, settle: Settle, settled_show: UUID
) -> None:
    await seeded.hold(settled_show, "A-1-1")
    await settle()
    url = f"/v1/shows/{settled_show}/seats"
    before = await _roundtrips(client)
    answers = await asyncio.gather(*(client.get(url, params={"format": "compact"}) for _ in range(6)))
    assert await _roundtrips(client) - before == 1  # one read; the others waited for it or found its body
    assert {(a.status_code, a.headers["etag"], a.content) for a in answers} == {
        (200, answers[0].headers["etag"], answers[0].content)
    }
