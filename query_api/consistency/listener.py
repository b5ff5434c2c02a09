"""One LISTEN connection per process: projector notices feed the in-memory versions and wake waiters."""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from contracts.progress import PROGRESS_CHANNEL, ProgressNotice, decode_progress
from contracts.read_model import PROJECTION_PROGRESS, WATERMARK_VIEWS
from infra.db import libpq_dsn
from infra.reconnect import MAX_BACKOFF_S, keep_reconnecting
from query_api.consistency.signal import ProgressSignal
from query_api.consistency.tracker import KINDS, Resync, VersionTracker

log = logging.getLogger(__name__)


def resync_query(read_schema: str) -> sql.Composed:
    """Every version registered for the views schema and every watermark, in one statement (one snapshot)."""
    parts = [
        sql.SQL("SELECT 'v', projection, version::bigint, state FROM {}.{}").format(
            sql.Identifier(read_schema), sql.Identifier(PROJECTION_PROGRESS.name)
        )
    ]
    for kind in KINDS:
        parts.append(
            sql.SQL("SELECT {}, show_id::text, seq, NULL FROM {}.{}").format(
                sql.Literal(kind), sql.Identifier(read_schema), sql.Identifier(WATERMARK_VIEWS[kind])
            )
        )
    return sql.SQL(" UNION ALL ").join(parts)


async def read_resync(conn: psycopg.AsyncConnection[Any], query: sql.Composed) -> Resync:
    cur = await conn.execute(query)
    versions: list[tuple[str, int, str]] = []
    marks: dict[str, dict[UUID, int]] = {kind: {} for kind in KINDS}
    for tag, name, number, state in await cur.fetchall():
        if tag == "v":
            versions.append((name, int(number), state))
        else:
            marks[tag][UUID(name)] = int(number)
    return Resync(versions, marks)


async def resync(
    conn: psycopg.AsyncConnection[Any],
    query: sql.Composed,
    tracker: VersionTracker,
    signal: ProgressSignal,
    retry_s: float | None,
) -> float | None:
    """Re-read every version and watermark into ``tracker`` and wake every waiter.

    Returns None once loaded; on a refused read (the views do not exist yet) it
    leaves ``tracker.resync_wanted`` set and returns the delay before the next
    try, doubling ``retry_s``. A lost connection (OperationalError) propagates.
    """
    tracker.resync_wanted = False
    try:
        loaded = await read_resync(conn, query)
    except psycopg.OperationalError:
        raise
    except psycopg.Error as error:
        tracker.resync_wanted = True
        log.info("versions not readable yet (%s); reading the database meanwhile", str(error).strip())
        return min((retry_s or 0.1) * 2, MAX_BACKOFF_S)
    tracker.load(loaded)
    signal.notify(None)
    return None


@dataclass(frozen=True, slots=True)
class MemoryFeed:
    """What a listener does to memory, written once for both (this one and the hot standby's):
    a notice applied (a swap empties the body cache), a re-read, a loss; each wakes the waiters
    of what it concerns."""

    signal: ProgressSignal
    tracker: VersionTracker
    query: sql.Composed  # the re-read (``resync_query``)
    on_swap: Callable[[], None]  # a swap seen: what memory serves of the old version goes

    @classmethod
    def of(
        cls, signal: ProgressSignal, tracker: VersionTracker, read_schema: str, on_swap: Callable[[], None]
    ) -> "MemoryFeed":
        return cls(signal, tracker, resync_query(read_schema), on_swap)

    def apply(self, notice: ProgressNotice) -> None:
        outcome = self.tracker.on_notice(notice)
        if outcome.swapped:
            self.on_swap()
        for kind in outcome.kinds:
            self.signal.notify(kind)

    async def resync(self, conn: psycopg.AsyncConnection[Any], retry_s: float | None) -> float | None:
        return await resync(conn, self.query, self.tracker, self.signal, retry_s)

    def lost(self) -> None:
        self.tracker.lost()
        self.signal.notify(None)  # waiters now read the database


class ProgressListener:
    """LISTENs on ``boxoffice_projection_progress``; keeps :class:`VersionTracker` current.

    On every (re)connect: LISTEN first, then one re-read of all versions and
    watermarks, so nothing committed in between is missed (notices received
    meanwhile are kept by the driver and applied after the re-read). Until that
    re-read succeeds, and whenever the connection is lost, the tracker is not
    synced and readers go to the database. The connection is re-opened with
    backoff. Every change wakes the waiters of the projection it concerns.
    """

    def __init__(self, url: str, memory: MemoryFeed) -> None:
        self._dsn = libpq_dsn(url)
        self._memory = memory
        self._task: asyncio.Task[None] | None = None
        self.connected = False
        self.backend_pid: int | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="progress-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.connected = False
        self._memory.lost()

    async def _run(self) -> None:
        await keep_reconnecting(self._listen, self._lost, what="progress listener", log=log)

    def _lost(self) -> bool:
        was, self.connected, self.backend_pid = self.connected, False, None
        self._memory.lost()
        return was

    async def _listen(self) -> None:
        async with await psycopg.AsyncConnection.connect(self._dsn, autocommit=True) as conn:
            await conn.execute(f"LISTEN {PROGRESS_CHANNEL}")
            self.backend_pid = conn.info.backend_pid
            self.connected = True
            self._memory.tracker.resync_wanted = True
            retry_s: float | None = None
            while True:
                if self._memory.tracker.resync_wanted:
                    retry_s = await self._memory.resync(conn, retry_s)
                # closed before the next query: the generator holds the connection's lock
                async with contextlib.aclosing(conn.notifies(timeout=retry_s)) as notes:
                    async for note in notes:
                        self._memory.apply(decode_progress(note.payload))
                        if self._memory.tracker.resync_wanted:
                            break
