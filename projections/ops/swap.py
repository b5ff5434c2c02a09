"""The swap of a replay: pause the serving version, wait for equality, verify, re-point the views.

One attempt is one transaction: it locks the serving version's registry row
(its projector's next batch waits at the gate), waits until the new version's
offsets equal the serving version's, optionally compares both, then swaps the
views and the registry. A lock timeout on the views (readers hold them) or a
new version that cannot reach the position in time ends the attempt without
any change; attempts are repeated until the deadline.
"""

import asyncio
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import AsyncConnection

from projections.ops.verify import differences
from projections.runtime.projection import Deployment
from projections.runtime.sql import ident
from projections.runtime.topic_offsets import end_offsets
from projections.runtime.versions import Version, lock_version, swap


class ReplayError(RuntimeError):
    """A replay cannot start or finish; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class ReplayRun:
    """One replay in progress: the serving version ``old`` (None on a first build), the
    ``new`` one being built by ``task``, and where their offsets and the log's end are read."""

    conn: AsyncConnection[Any]
    deployment: Deployment
    old: Version | None
    new: Version
    task: "asyncio.Task[Any]"
    bootstrap_servers: str

    async def log_end(self) -> dict[int, int]:
        return await end_offsets(self.bootstrap_servers, self.deployment.topic)


async def offsets(conn: AsyncConnection[Any], schema: str) -> dict[int, int]:
    cur = await conn.execute(f"SELECT partition, next_offset FROM {ident(schema)}.checkpoints")
    return dict(await cur.fetchall())


def caught_up(new: dict[int, int], old: dict[int, int]) -> bool:
    return all(new.get(p, 0) >= n for p, n in old.items())


def within_log(position: dict[int, int], ends: dict[int, int]) -> dict[int, int]:
    """The serving version's position, capped at the log's end offsets.

    Normally this changes nothing: no version consumes past the end. After the
    topic was lost and re-created from the event store, the serving version's
    offsets belong to the old log, which may have held relayed duplicates and so
    ended further on; the new version is complete at the new log's end.
    """
    return {p: min(o, ends.get(p, o)) for p, o in position.items()}


async def swap_when_equal(run: ReplayRun, *, verify: bool, within: float) -> None:
    """Swap once the new version equals the paused serving version; retried until ``within`` passes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        try:
            if await _try_swap(run, verify=verify, deadline=deadline):
                return
        except psycopg.errors.LockNotAvailable:
            pass  # readers held the views; they never wait long on us, and we try again
        if run.task.done() or loop.time() > deadline:
            raise ReplayError("the new version could not reach the serving version's position in time")
        await asyncio.sleep(0.05)


async def _try_swap(run: ReplayRun, *, verify: bool, deadline: float) -> bool:
    """One attempt, in one transaction: pause N, wait for N+1 to equal it, verify, swap."""
    loop = asyncio.get_running_loop()
    conn, old, new = run.conn, run.old, run.new
    async with conn.transaction():
        state = await lock_version(conn, old) if old is not None else None
        if old is not None and state != "live":
            raise ReplayError(f"the serving version {old.version} is {state} now; nothing swapped")
        target = None
        if old is not None:  # paused now: its offsets no longer move
            target = within_log(await offsets(conn, old.schema_name), await run.log_end())
        while target is not None and not caught_up(await offsets(conn, new.schema_name), target):
            if run.task.done() or loop.time() > deadline:
                return False
            await asyncio.sleep(0.05)
        if verify and old is not None:
            found = await differences(conn, run.deployment, old.schema_name, new.schema_name)
            if found:
                raise ReplayError(
                    "the new version differs from the serving one; nothing swapped:\n" + "\n".join(found[:20])
                )
        if await lock_version(conn, new) != "building":
            raise ReplayError(f"version {new.version} was abandoned meanwhile; nothing swapped")
        await swap(conn, run.deployment, old, new)
        return True
