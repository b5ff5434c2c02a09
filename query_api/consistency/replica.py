"""Versions in memory on a hot standby: notices LISTENed for on the primary, claimed once replayed.

NOTIFY does not reach a standby, and a standby replays the primary's WAL
later. So a query API reading a standby LISTENs on the primary and holds each
notice (:class:`HeldNotices`) until the standby's ``pg_last_wal_replay_lsn()``
has passed the notice's primary WAL position (``contracts.progress``).
Guarantees:

- The tracker never claims a version or watermark the standby's snapshots do
  not hold: a notice is applied only after its position was replayed, and
  notices are applied in arrival order.
- Every re-read (on connecting, after a swap, after a notice too large for
  its seqs) reads the standby, in a snapshot taken after the replay position
  it was checked against. After (re)connecting to the primary it waits until
  the standby has replayed the primary's position read just after LISTEN, so
  nothing committed before LISTEN is missing from memory.
- After reconnecting to the standby, the re-read also waits until it has
  replayed as far as it had before: a standby restarted after a crash may
  open at an earlier point than it had reached, and memory may hold that much.
- Until then, and whenever either connection is down, the tracker is not
  synced and requests read the standby (its snapshots are exact by themselves).
  Notices keep being held meanwhile; past ``_MAX_HELD`` they are dropped for a
  re-read once the standby has replayed the primary's position of that moment.
- The standby is asked once per wake-up: when notices arrive, and again every
  ``poll_s`` while some wait; never while none wait, never more often than
  every ``poll_s``.
"""

import asyncio
import contextlib
import logging
from typing import Any

import psycopg

from contracts.progress import PROGRESS_CHANNEL, decode_progress
from infra.db import libpq_dsn
from infra.reconnect import MAX_BACKOFF_S, keep_reconnecting
from query_api.consistency.held import HeldNotices, replay_target
from query_api.consistency.listener import MemoryFeed
from query_api.consistency.wal_positions import primary_lsn, replayed_lsn, wal_block_size

log = logging.getLogger(__name__)

_MAX_HELD = 50_000


class ReplicaProgressListener:
    """See the module docstring. Same interface as :class:`ProgressListener`."""

    def __init__(self, primary_url: str, replica_url: str, memory: MemoryFeed, *, poll_s: float) -> None:
        self._primary_dsn = libpq_dsn(primary_url)
        self._replica_dsn = libpq_dsn(replica_url)
        self._memory = memory
        self._poll_s = poll_s
        self._held = HeldNotices()
        self._barrier: int | None = None  # primary position to replay before the next re-read
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._block_size = 8192
        self.connected = False  # LISTENing on the primary
        self.following = False  # connected to the standby
        self.backend_pid: int | None = None  # of the LISTEN connection
        self._replayed_high = 0  # the highest replay position seen: what memory may hold

    @property
    def held(self) -> int:
        """Notices waiting for the standby's replay."""
        return len(self._held)

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(
                keep_reconnecting(self._listen, self._listen_down, what="progress listener", log=log),
                name="progress-listener",
            ),
            asyncio.create_task(
                keep_reconnecting(self._follow, self._follow_down, what="replica follower", log=log),
                name="replica-follower",
            ),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self._listen_down()
        self._follow_down()

    def _listen_down(self) -> bool:
        was, self.connected, self.backend_pid, self._barrier = self.connected, False, None, None
        self._lost()
        return was

    def _follow_down(self) -> bool:
        was, self.following = self.following, False
        self._lost()
        return was

    def _lost(self) -> None:
        self._memory.lost()

    # --- the primary: notices and positions ----------------------------------------------------

    async def _listen(self) -> None:
        async with await psycopg.AsyncConnection.connect(self._primary_dsn, autocommit=True) as conn:
            await conn.execute(f"LISTEN {PROGRESS_CHANNEL}")
            # Committed before LISTEN: no notice will tell; the standby replays past here first.
            self._barrier = await primary_lsn(conn)
            self.backend_pid = conn.info.backend_pid
            self.connected = True
            self._memory.tracker.resync_wanted = True
            self._wake.set()
            while True:
                # Ends after one packet of notices, never inside one (that would drop the rest).
                async with contextlib.aclosing(conn.notifies(stop_after=1)) as notes:
                    async for note in notes:
                        self._held.add(decode_progress(note.payload))
                if len(self._held) > _MAX_HELD:  # a standby long gone: re-read once it is back
                    log.warning("%d notices wait for the standby; dropped for a re-read", len(self._held))
                    self._held.clear()
                    self._lost()
                    self._barrier = await primary_lsn(conn)
                elif self._held.unstamped:  # a swap or an older sender: committed before this read
                    self._held.stamp(await primary_lsn(conn))
                self._wake.set()

    # --- the standby: replay position, re-reads, applying ---------------------------------------

    async def _follow(self) -> None:
        async with await psycopg.AsyncConnection.connect(self._replica_dsn, autocommit=True) as conn:
            self._block_size = await wal_block_size(conn)
            self.following = True
            self._memory.tracker.resync_wanted = True
            if self.connected and self._replayed_high:
                # A standby restarted after a crash may replay from an earlier point than it had
                # reached: memory may hold that much, so it is re-read only once the standby is back there.
                self._barrier = max(self._barrier or 0, self._replayed_high)
            loop = asyncio.get_running_loop()
            retry_s: float | None = None
            while True:
                polled = loop.time()
                retry_s = await self._step(conn, retry_s)
                await self._sleep(polled + self._poll_s - loop.time(), retry_s)

    async def _sleep(self, spacing_s: float, retry_s: float | None) -> None:
        """Until the next wake-up: at least ``spacing_s``; then at once while notices (or the
        reconnect barrier) wait for the replay, else until notices arrive; ``retry_s`` after a
        refused re-read."""
        if retry_s is not None:
            await asyncio.sleep(max(spacing_s, retry_s))
        else:
            if spacing_s > 0:
                await asyncio.sleep(spacing_s)
            if not self._held and self._barrier is None:
                await self._wake.wait()
        self._wake.clear()

    async def _step(self, conn: psycopg.AsyncConnection[Any], retry_s: float | None) -> float | None:
        """One wake-up: read the replay position, then re-read and apply what it covers.

        Returns the delay before retrying (a refused re-read, or a server not in
        recovery); None when there is nothing to retry.
        """
        replayed = await replayed_lsn(conn)
        self._replayed_high = max(self._replayed_high, replayed or 0)
        if replayed is None:  # not (or no longer) a standby: its positions say nothing
            if self._memory.tracker.synced or not retry_s:
                log.warning("the query database is not in recovery; versions are read from it")
            self._memory.tracker.lost()
            return MAX_BACKOFF_S
        if self._barrier is not None and replayed >= replay_target(self._barrier, self._block_size):
            self._barrier = None
        # Re-reads only while no notice can be missed: LISTEN up, and everything before it replayed.
        may_resync = self.connected and self._barrier is None
        if may_resync and self._memory.tracker.resync_wanted:
            retry_s = await self._memory.resync(conn, retry_s)
        for notice in self._held.due(replayed):
            self._memory.apply(notice)
            if may_resync and self._memory.tracker.resync_wanted:  # its snapshot is past this notice
                retry_s = await self._memory.resync(conn, retry_s)
        return retry_s if self._memory.tracker.resync_wanted and may_resync else None
