"""benchmarks/wrk/holds.lua under the real wrk, against a stub HTTP server that records every request.

The stub answers 201, 201, 409, 503 in turn, so the script's counts can be
checked against what was sent; every request's method, path, headers and body
are checked against what the command API expects.
"""

import itertools
import json
import re
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from benchmarks.wrk import run_wrk, wrk_argv
from tests.support.http_stub import RunningStub, recording_stub

pytestmark = pytest.mark.integration
SHOWS = ("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222")
ZONES = ("S00", "S01", "S02")
STATUSES = (201, 201, 409, 503)


@pytest.fixture
async def stub() -> AsyncIterator[RunningStub]:
    """Answers POSTs with 201, 201, 409, 503 in turn, GETs with 200."""
    statuses = itertools.cycle(STATUSES)
    async with recording_stub(lambda method, _: next(statuses) if method == "POST" else 200) as running:
        yield running


@pytest.mark.parametrize("mode", ["explicit", "best"])
async def test_holds_requests_and_counts(wrk: str, stub: RunningStub, mode: str) -> None:
    state, url = stub
    options: dict[str, str | int] = {"mode": mode, "shows": ",".join(SHOWS), "zones": ",".join(ZONES)}
    options |= {"rows": 10, "seats": 20, "qmin": 1, "qmax": 2, "prefix": "t", "seed": 3}
    argv = wrk_argv(wrk, url, connections=4, seconds=1, options=options, headers=["Authorization: Bearer k"])

    result = await run_wrk(argv, 4)

    assert result.requests > 20
    assert result.ok + result.conflicts + result.other == result.requests
    # wrk stops with answers in flight: it counts at most what the stub sent, and misses at most one
    # answer per connection
    for counted, status in ((result.ok, 201), (result.conflicts, 409), (result.other, 503)):
        assert state.sent[status] - 4 <= counted <= state.sent[status]
    assert set(result.other_statuses) <= {"503"}
    assert result.errors["status"] == result.conflicts + result.other

    keys = [headers["idempotency-key"] for _, _, headers, _ in state.requests]
    assert len(set(keys)) == len(keys), "every request needs its own Idempotency-Key"
    customers, shows, quantities = set(), Counter[str](), Counter[int]()
    for method, path, headers, raw in state.requests:
        assert method == "POST"
        match = re.fullmatch(r"/v1/shows/([0-9a-f-]{36})/holds", path)
        assert match
        assert match.group(1) in SHOWS
        shows[match.group(1)] += 1
        assert headers["authorization"] == "Bearer k"
        assert headers["content-type"] == "application/json"
        body = json.loads(raw)
        customers.add(body["customer_id"])
        if mode == "explicit":
            assert set(body) == {"customer_id", "seat_ids"}
            [seat] = body["seat_ids"]
            zone, row, number = seat.split("-")
            assert zone in ZONES
            assert 1 <= int(row) <= 10
            assert 1 <= int(number) <= 20
        else:
            assert set(body) == {"customer_id", "zone_id", "quantity"}
            assert body["zone_id"] in ZONES
            quantities[body["quantity"]] += 1
    assert len(customers) == len(state.requests)
    assert set(shows) == set(SHOWS), "requests are spread over every show"
    if mode == "best":
        assert set(quantities) == {1, 2}


async def test_floor_mode_gets_the_path(wrk: str, stub: RunningStub) -> None:
    state, url = stub
    argv = wrk_argv(wrk, url, connections=2, seconds=1, options={"mode": "floor", "path": "/healthz"})

    result = await run_wrk(argv, 2)

    assert result.ok == result.requests > 0
    assert {(m, p) for m, p, _, _ in state.requests} == {("GET", "/healthz")}
