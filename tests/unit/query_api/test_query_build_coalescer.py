"""Builds of one variant are coalesced: at most one runs, and a reader takes only a build it may take."""

import asyncio

import pytest

from query_api.coalescing import BuildCoalescer


class Database:
    """A resource whose version moves when told; each build reads it after it starts, then waits."""

    def __init__(self) -> None:
        self.version = 0
        self.memory = "v0"  # what memory says at the moment
        self.release = asyncio.Event()
        self.started: list[int] = []

    async def build(self) -> int:
        read = self.version
        self.started.append(read)
        await self.release.wait()
        return read


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_readers_arriving_during_a_build_share_the_next_one() -> None:
    builds, db = BuildCoalescer[int](), Database()
    first = asyncio.create_task(builds.answer("dashboard", "v0", lambda: db.memory, db.build))
    await _settle()
    db.version, db.memory = 1, "v1"  # a new version lands while the first build runs
    later = [
        asyncio.create_task(builds.answer("dashboard", "v1", lambda: db.memory, db.build)) for _ in range(6)
    ]
    await _settle()
    assert db.started == [0]  # one build at a time
    db.release.set()
    assert await first == 0
    assert await asyncio.gather(*later) == [1] * 6  # never the build that started before they arrived
    assert db.started == [0, 1]
    assert builds.builds == 2
    assert not builds.running("dashboard")


async def test_a_reader_joins_a_running_build_when_memory_has_not_moved_since_it_started() -> None:
    builds, db = BuildCoalescer[int](), Database()
    first = asyncio.create_task(builds.answer("dashboard", "v0", lambda: db.memory, db.build))
    await _settle()
    same = asyncio.create_task(builds.answer("dashboard", "v0", lambda: db.memory, db.build))
    unknown = asyncio.create_task(builds.answer("dashboard", None, lambda: db.memory, db.build))
    await _settle()
    db.release.set()
    assert (await first, await same, await unknown) == (0, 0, 0)
    assert builds.builds == 2  # the reader memory could not vouch for (a token, no sync) took the next


async def test_variants_build_on_their_own() -> None:
    builds, db = BuildCoalescer[int](), Database()
    db.release.set()
    answers = await asyncio.gather(
        builds.answer("dashboard:json", "v0", lambda: db.memory, db.build),
        builds.answer("dashboard:csv", "v0", lambda: db.memory, db.build),
    )
    assert list(answers) == [0, 0]
    assert builds.builds == 2


async def test_a_failed_build_fails_its_readers_and_the_next_build_runs() -> None:
    builds, started, release = BuildCoalescer[int](), asyncio.Event(), asyncio.Event()

    async def failing() -> int:
        started.set()
        await release.wait()
        raise RuntimeError("database went away")

    async def working() -> int:
        return 7

    first = asyncio.create_task(builds.answer("dashboard", "v0", lambda: "v0", failing))
    await started.wait()
    joined = asyncio.create_task(builds.answer("dashboard", "v0", lambda: "v0", working))
    queued = asyncio.create_task(builds.answer("dashboard", "v1", lambda: "v1", working))
    release.set()
    for reader in (first, joined):
        with pytest.raises(RuntimeError):
            await reader
    assert await queued == 7


async def test_a_reader_that_leaves_cancels_nobodys_build() -> None:
    builds, db = BuildCoalescer[int](), Database()
    leaving = asyncio.create_task(builds.answer("dashboard", "v0", lambda: db.memory, db.build))
    await _settle()
    staying = asyncio.create_task(builds.answer("dashboard", "v0", lambda: db.memory, db.build))
    await _settle()
    leaving.cancel()
    db.release.set()
    assert await staying == 0
    assert leaving.cancelled()
    assert builds.builds == 1
