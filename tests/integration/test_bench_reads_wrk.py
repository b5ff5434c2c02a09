"""benchmarks/wrk/reads.lua, reads_paced.lua and holds_paced.lua under the real wrk, against a stub
HTTP server that records every request: paths round robin, headers, status counts, pacing."""

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from benchmarks.reads.loads import Background, holds_argv, reads_argv
from benchmarks.wrk import run_wrk
from tests.support.http_stub import RunningStub, recording_stub

pytestmark = pytest.mark.integration
SHOW = "11111111-1111-4111-8111-111111111111"
PATHS = ("/v1/a", "/v1/b?format=compact", "/v1/c")


def _answer(method: str, path: str) -> int:
    return 201 if method == "POST" else 404 if path == "/v1/c" else 200


@pytest.fixture
async def stub() -> AsyncIterator[RunningStub]:
    """Answers 200 to GETs (404 to ``/v1/c``) and 201 to POSTs."""
    async with recording_stub(_answer) as running:
        yield running


async def test_closed_loop_reads_every_path_with_the_viewer_key(wrk: str, stub: RunningStub) -> None:
    state, url = stub
    result = await run_wrk(reads_argv(wrk, url, PATHS, connections=3, seconds=1), 3)

    assert result.requests > 30
    assert result.ok + result.other == result.requests
    assert set(result.other_statuses) == {"404"}
    seen = Counter(path for _, path, _, _ in state.requests)
    assert set(seen) == set(PATHS)
    assert max(seen.values()) - min(seen.values()) <= 3 + 1, "round robin over the paths"
    assert {h.get("authorization") for _, _, h, _ in state.requests} == {"Bearer bench-viewer-key"}


async def test_floor_reads_go_without_a_key(wrk: str, stub: RunningStub) -> None:
    state, url = stub
    result = await run_wrk(reads_argv(wrk, url, ["/healthz"], connections=2, seconds=1, auth=False), 2)

    assert result.ok == result.requests > 0
    assert all("authorization" not in h for _, _, h, _ in state.requests)


async def test_paced_reads_hold_the_rate(wrk: str, stub: RunningStub) -> None:
    state, url = stub
    result = await run_wrk(reads_argv(wrk, url, PATHS[:2], connections=10, seconds=2, rate=100), 10)

    # 100/s for 2 s: a closed loop against this stub would send thousands
    assert 100 <= result.requests <= 260
    assert result.ok == result.requests
    assert len(state.requests) <= 260


async def test_paced_background_holds_stop_on_sigint(wrk: str, stub: RunningStub) -> None:
    state, url = stub
    background = Background(
        holds_argv(wrk, url, [SHOW], ["A", "B"], rate=50, connections=4, prefix="bg-test"), 4
    )
    await background.start()
    await asyncio.sleep(1.5)
    background.check_alive()

    result = await background.stop()

    assert 30 <= result.ok <= 120
    assert result.ok == result.requests
    for method, path, headers, raw in state.requests:
        assert (method, path) == ("POST", f"/v1/shows/{SHOW}/holds")
        assert headers["authorization"] == "Bearer bench-checkout-key"
        body = json.loads(raw)
        assert body["zone_id"] in ("A", "B")
        assert body["quantity"] == 1
        assert headers["idempotency-key"].startswith("bg-test-")  # a later run, another prefix: new holds
        assert body["customer_id"] == "c-" + headers["idempotency-key"]
