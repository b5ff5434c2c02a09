"""The query API's /metrics move as the reads predict: cache hits and misses, round trips, token waits."""

import asyncio
from uuid import UUID

import httpx
import pytest

from contracts import ConsistencyToken
from tests.integration.query_api.conftest import ClientFactory, Settle
from tests.integration.query_api.seed import SeededSchema
from tests.support.metrics import Samples

pytestmark = pytest.mark.integration


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return Samples(response.text)


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return after.value(name, **labels) - before.value(name, **labels)


async def test_cache_hits_rise_on_repeated_reads_and_misses_on_a_new_version(
    client: httpx.AsyncClient, seeded: SeededSchema, settle: Settle, settled_show: UUID
) -> None:
    show_id = settled_show
    url = f"/v1/shows/{show_id}/availability"
    before = await scrape(client)
    assert (await client.get(url)).status_code == 200  # built from the database
    first = await scrape(client)
    assert moved(before, first, "boxoffice_query_cache_misses_total") == 1
    assert moved(before, first, "boxoffice_query_cache_hits_total") == 0
    assert first.value("boxoffice_query_cache_bytes") > 0
    for _ in range(5):  # answered from the cache (the hot path)
        assert (await client.get(url)).status_code == 200
    repeated = await scrape(client)
    assert moved(first, repeated, "boxoffice_query_cache_hits_total") == 5
    assert moved(first, repeated, "boxoffice_query_cache_misses_total") == 0
    # A memory answer costs no round trip; the first read cost some. /metrics itself costs none.
    assert moved(first, repeated, "boxoffice_query_db_roundtrips_bucket", le="0.0") == 6  # 5 reads, 1 scrape
    assert moved(before, first, "boxoffice_query_db_roundtrips_sum") == 1  # one statement: version and zones

    await seeded.hold(show_id, "A-1-1")  # a new version of the show
    await settle()
    assert (await client.get(url)).status_code == 200
    changed = await scrape(client)
    assert moved(repeated, changed, "boxoffice_query_cache_misses_total") == 1
    assert moved(repeated, changed, "boxoffice_query_cache_hits_total") == 0
    assert moved(repeated, changed, "boxoffice_query_db_roundtrips_count") == 2  # the read and a scrape


async def test_token_waits_are_counted_by_outcome(
    client_factory: ClientFactory, seeded: SeededSchema
) -> None:
    show_id = await seeded.add_show()
    async with client_factory(recheck_interval_ms=100) as (client, _):
        url = f"/v1/shows/{show_id}/availability"
        before = await scrape(client)
        satisfied = ConsistencyToken(show_id, seeded.seq(show_id)).encode()
        for _ in range(3):
            response = await client.get(url, params={"consistency_token": satisfied})
            assert response.status_code == 200
        ahead = ConsistencyToken(show_id, seeded.seq(show_id) + 1).encode()
        waiting = asyncio.create_task(client.get(url, params={"consistency_token": ahead, "wait_ms": 4000}))
        await asyncio.sleep(0.3)  # let the request reach its wait
        assert not waiting.done()
        await seeded.hold(show_id, "A-1-1")
        assert (await waiting).status_code == 200
        never = ConsistencyToken(show_id, seeded.seq(show_id) + 5).encode()
        late = await client.get(url, params={"consistency_token": never, "wait_ms": 50})
        assert late.status_code == 503
        after = await scrape(client)
    waits = "boxoffice_query_token_waits_total"
    assert moved(before, after, waits, outcome="immediate") == 3
    assert moved(before, after, waits, outcome="waited") == 1
    assert moved(before, after, waits, outcome="timeout") == 1
    assert moved(before, after, "boxoffice_query_token_wait_seconds_count") == 2  # waited, timeout
    assert moved(before, after, "boxoffice_query_token_wait_seconds_sum") > 0
