"""Replay: build version N+1 from the start of the topic while N serves, then swap atomically.

How it stays exact and gap-free:
- N+1 is an ordinary version (own schema, consumer group, checkpoints) built by
  a ``ProjectionRunner`` whose *ceiling* is N's stored offsets: it never passes
  the serving version, so both can be compared and swapped at one position.
- The swap transaction locks N's registry row (every batch of N takes a share
  lock on it first, so N's projector pauses), waits until N+1's offsets equal
  N's, optionally verifies both, then re-points the read views and flips the
  registry; readers see N until commit and N+1 after, never a gap.
- After the swap N's projector sees N retired and moves on to N+1 from N+1's
  offsets, so no live event is lost; N is then dropped unless kept.
- An interrupted replay leaves N+1 ``building``: ``resume`` continues it from
  its checkpoints, ``abandon`` drops it; N is never touched by either.
"""

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import AsyncConnection

from infra.db import libpq_dsn
from projections.ops.verify import differences
from projections.runtime.dead_letters import KafkaDeadLetterSink
from projections.runtime.projection import Deployment
from projections.runtime.registry import Version, create_version, drop_tables, find, lock_version, swap
from projections.runtime.registry import set_state as set_version_state
from projections.runtime.runner import ProjectionRunner
from projections.runtime.sql import ident
from projections.runtime.topics import end_offsets


class ReplayError(RuntimeError):
    """A replay cannot start or finish; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class ReplayOutcome:
    projection: str
    old: Version | None
    new: Version
    dropped_old: bool


Progress = Callable[[int, int], None]  # (events done, events in the log)


async def _offsets(conn: AsyncConnection[Any], schema: str) -> dict[int, int]:
    cur = await conn.execute(f"SELECT partition, next_offset FROM {ident(schema)}.checkpoints")
    return dict(await cur.fetchall())


def _caught_up(new: dict[int, int], old: dict[int, int]) -> bool:
    return all(new.get(p, 0) >= n for p, n in old.items())


async def start_version(conn: AsyncConnection[Any], deployment: Deployment, resume: bool) -> Version:
    """The building version to work on: the interrupted one with ``resume``, else a new one."""
    name = deployment.registry_name
    building = await find(conn, name, "building")
    if building is not None and not resume:
        raise ReplayError(
            f"a replay of {name} is in progress (version {building.version}); "
            f"resume it with --resume or drop it with `projections abandon {name}`"
        )
    if building is None and resume:
        raise ReplayError(f"there is no interrupted replay of {name} to resume")
    if building is not None:
        return building
    async with conn.transaction():
        return await create_version(conn, deployment, "building")


async def replay(
    deployment: Deployment,
    database_url: str,
    bootstrap_servers: str,
    *,
    resume: bool = False,
    keep_old: bool = False,
    verify: bool = False,
    on_progress: Progress | None = None,
    swap_timeout: float = 30.0,
    max_records: int = 20_000,
) -> ReplayOutcome:
    """Build the next version of ``deployment`` and swap it in (see the module docstring)."""
    dsn = libpq_dsn(database_url)
    async with (
        await AsyncConnection.connect(dsn, autocommit=True) as conn,
        await AsyncConnection.connect(dsn, autocommit=True) as ceiling_conn,
    ):
        old = await find(conn, deployment.registry_name, "live")
        new = await start_version(conn, deployment, resume)

        async def ceiling() -> dict[int, int]:
            assert old is not None
            return await _offsets(ceiling_conn, old.schema_name)

        sink = KafkaDeadLetterSink(bootstrap_servers, deployment.dead_letter_topic)
        runner = ProjectionRunner(
            deployment,
            new,
            database_url,
            bootstrap_servers,
            sink,
            ceiling=ceiling if old is not None else None,
            max_records=max_records,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run(stop))
        try:
            await _follow(
                conn,
                deployment,
                old,
                new,
                task=task,
                bootstrap_servers=bootstrap_servers,
                on_progress=on_progress,
            )
            await _swap(conn, deployment, old, new, verify=verify, task=task, within=swap_timeout)
        finally:
            stop.set()
            with contextlib.suppress(Exception):
                await task
            await sink.close()
        dropped = False
        if old is not None and not keep_old:
            async with conn.transaction():
                await drop_tables(conn, old)
            dropped = True
        return ReplayOutcome(deployment.registry_name, old, new, dropped)


async def _follow(
    conn: AsyncConnection[Any],
    deployment: Deployment,
    old: Version | None,
    new: Version,
    *,
    bootstrap_servers: str,
    task: "asyncio.Task[Any]",
    on_progress: Progress | None,
) -> None:
    """Wait until the new version has reached the serving version's offsets (or the log's end)."""
    while True:
        if task.done():
            raise ReplayError(f"the replay stopped: {task.exception() or task.result()}")
        target = (
            await _offsets(conn, old.schema_name)
            if old is not None
            else await end_offsets(bootstrap_servers, deployment.topic)
        )
        done = await _offsets(conn, new.schema_name)
        if on_progress is not None:
            total = sum((await end_offsets(bootstrap_servers, deployment.topic)).values())
            on_progress(sum(done.values()), total)
        if _caught_up(done, target):
            return
        await asyncio.sleep(0.2)


async def _swap(
    conn: AsyncConnection[Any],
    deployment: Deployment,
    old: Version | None,
    new: Version,
    *,
    verify: bool,
    task: "asyncio.Task[Any]",
    within: float,
) -> None:
    """Swap once the new version equals the paused serving version; retried until ``within`` passes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        try:
            if await _try_swap(conn, deployment, old, new, verify=verify, task=task, deadline=deadline):
                return
        except psycopg.errors.LockNotAvailable:
            pass  # readers held the views; they never wait long on us, and we try again
        if task.done() or loop.time() > deadline:
            raise ReplayError("the new version could not reach the serving version's position in time")
        await asyncio.sleep(0.05)


async def _try_swap(
    conn: AsyncConnection[Any],
    deployment: Deployment,
    old: Version | None,
    new: Version,
    *,
    verify: bool,
    task: "asyncio.Task[Any]",
    deadline: float,
) -> bool:
    """One attempt, in one transaction: pause N, wait for N+1 to equal it, verify, swap."""
    loop = asyncio.get_running_loop()
    async with conn.transaction():
        state = await lock_version(conn, old) if old is not None else None
        if old is not None and state != "live":
            raise ReplayError(f"the serving version {old.version} is {state} now; nothing swapped")
        target = await _offsets(conn, old.schema_name) if old is not None else None
        while target is not None and not _caught_up(await _offsets(conn, new.schema_name), target):
            if task.done() or loop.time() > deadline:
                return False
            await asyncio.sleep(0.05)
        if verify and old is not None:
            found = await differences(conn, deployment, old.schema_name, new.schema_name)
            if found:
                raise ReplayError(
                    "the new version differs from the serving one; nothing swapped:\n" + "\n".join(found[:20])
                )
        if await lock_version(conn, new) != "building":
            raise ReplayError(f"version {new.version} was abandoned meanwhile; nothing swapped")
        await swap(conn, deployment, old, new)
        return True


async def abandon(deployment: Deployment, database_url: str) -> Version:
    """Mark the building version abandoned and drop its tables; the serving version is untouched."""
    async with await AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
        building = await find(conn, deployment.registry_name, "building")
        if building is None:
            raise ReplayError(f"there is no replay of {deployment.registry_name} to abandon")
        async with conn.transaction():
            await set_version_state(conn, building, "abandoned")
        async with conn.transaction():
            await drop_tables(conn, building)
        return building
