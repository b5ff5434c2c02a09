"""Concurrent builds of one body share the first; a failed or cancelled build leaves each waiter to build."""

import asyncio

import pytest

from query_api.single_flight import SingleFlight


async def test_concurrent_builds_of_one_key_run_once() -> None:
    flights, calls, release = SingleFlight(), [], asyncio.Event()

    async def load() -> bytes:
        calls.append(1)
        await release.wait()
        return b"body"

    readers = [asyncio.create_task(flights.build("etag", load)) for _ in range(8)]
    await asyncio.sleep(0)
    assert flights.running("etag") is not None
    release.set()
    assert await asyncio.gather(*readers) == [b"body"] * 8
    assert len(calls) == 1
    assert flights.running("etag") is None


async def test_other_keys_build_on_their_own() -> None:
    flights = SingleFlight()

    async def load_a() -> bytes:
        return b"a"

    async def load_b() -> bytes:
        return b"b"

    assert list(await asyncio.gather(flights.build("a", load_a), flights.build("b", load_b))) == [b"a", b"b"]


async def test_a_failed_build_leaves_each_waiter_to_build() -> None:
    flights, started = SingleFlight(), asyncio.Event()

    async def failing() -> bytes:
        started.set()
        await asyncio.sleep(0.01)
        raise RuntimeError("database went away")

    async def working() -> bytes:
        return b"fresh"

    first = asyncio.create_task(flights.build("etag", failing))
    await started.wait()
    waiter = asyncio.create_task(flights.build("etag", working))
    with pytest.raises(RuntimeError):
        await first
    assert await waiter == b"fresh"


async def test_a_cancelled_builder_does_not_cancel_its_waiters() -> None:
    flights, started = SingleFlight(), asyncio.Event()

    async def slow() -> bytes:
        started.set()
        await asyncio.sleep(10)
        return b"never"

    async def quick() -> bytes:
        return b"own"

    builder = asyncio.create_task(flights.build("etag", slow))
    await started.wait()
    waiter = asyncio.create_task(flights.build("etag", quick))
    await asyncio.sleep(0)
    builder.cancel()
    assert await waiter == b"own"
    assert builder.cancelled()
