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
- With ``processes`` above 1, extra processes build N+1 beside this one, the
  topic's partitions split among them (``replay_processes``); they are stopped
  before the swap's clean-up, and each batch of any of them is fenced as above.
"""

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection

from infra.db import libpq_dsn
from projections.ops.replay_processes import start_processes, stop_processes, version_runner
from projections.ops.swap import ReplayError, ReplayRun, caught_up, offsets, swap_when_equal, within_log
from projections.runtime.projection import Deployment
from projections.runtime.versions import Version, create_version, drop_tables, find
from projections.runtime.versions import set_state as set_version_state
from projections.settings import DEFAULT_MAX_RECORDS

__all__ = ["ReplayError", "ReplayOutcome", "abandon", "replay", "start_version"]


@dataclass(frozen=True, slots=True)
class ReplayOutcome:
    projection: str
    old: Version | None
    new: Version
    dropped_old: bool


Progress = Callable[[int, int], None]  # (events done, events in the log)


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
    max_records: int = DEFAULT_MAX_RECORDS,
    processes: int = 1,
) -> ReplayOutcome:
    """Build the next version of ``deployment`` and swap it in (see the module docstring), in
    ``processes`` processes: this one and ``processes - 1`` started for the replay's duration."""
    if processes < 1:
        raise ReplayError("a replay needs at least one process")
    dsn = libpq_dsn(database_url)
    async with (
        await AsyncConnection.connect(dsn, autocommit=True) as conn,
        await AsyncConnection.connect(dsn, autocommit=True) as ceiling_conn,
    ):
        old = await find(conn, deployment.registry_name, "live")
        new = await start_version(conn, deployment, resume)
        runner, sink = version_runner(
            deployment, new, old, ceiling_conn, database_url, bootstrap_servers, max_records
        )
        stop = asyncio.Event()
        extra: list[asyncio.subprocess.Process] = []
        task: asyncio.Task[Any] | None = None
        try:
            # The extra processes first: starting takes them a moment, and the group's first
            # assignment waits a moment for more members, so all usually join one assignment.
            extra = await start_processes(
                deployment,
                database_url,
                bootstrap_servers,
                new.version,
                count=processes - 1,
                max_records=max_records,
            )
            task = asyncio.create_task(runner.run(stop))
            run = ReplayRun(conn, deployment, old, new, task, bootstrap_servers)
            await _follow(run, on_progress)
            await swap_when_equal(run, verify=verify, within=swap_timeout)
        finally:
            stop.set()
            await stop_processes(extra)
            if task is not None:
                with contextlib.suppress(Exception):
                    await task
            await sink.close()
        dropped = False
        if old is not None and not keep_old:
            async with conn.transaction():
                await drop_tables(conn, old)
            dropped = True
        return ReplayOutcome(deployment.registry_name, old, new, dropped)


async def _follow(run: ReplayRun, on_progress: Progress | None) -> None:
    """Wait until the new version has reached the serving version's offsets (or the log's end)."""
    loop = asyncio.get_running_loop()
    ends, ends_at = await run.log_end(), loop.time()
    while True:
        if run.task.done():
            raise ReplayError(f"the replay stopped: {run.task.exception() or run.task.result()}")
        if loop.time() - ends_at > 2.0:  # the log's end moves with live writes; asking costs a connection
            ends, ends_at = await run.log_end(), loop.time()
        old = run.old
        target = within_log(await offsets(run.conn, old.schema_name), ends) if old is not None else ends
        done = await offsets(run.conn, run.new.schema_name)
        if on_progress is not None:
            n = sum(done.values())
            on_progress(n, max(n, sum(ends.values())))  # the end seen last may be a moment old
        if caught_up(done, target):
            return
        await asyncio.sleep(0.2)


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
