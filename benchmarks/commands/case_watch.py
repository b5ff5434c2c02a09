"""What a database's backends did while a case ran: their CPU, and the oldest outside snapshot.

A case's holds are served by whichever pool connections they get, and a pool
opens connections as the case needs them, so the backends known when a case
starts are not all the backends that serve it. ``CaseWatch`` therefore reads
every backend of the database from ``pg_stat_activity``: at the start, every
``interval`` seconds in the background and at the end. A client backend first
seen after the start counts its CPU from zero (all of it was spent in the case,
its connection's start included); one that ends keeps its last reading (at most
``interval`` of its CPU is lost). Autovacuum workers of the database are counted
apart. Each sample also reads the oldest outside snapshot (``snapshots``), so a
snapshot held only in the middle of the case shows in the largest age, not only
one held at the start or the end.
"""

import asyncio
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, Self

import psycopg

from benchmarks.commands.backend_cpu import backend_cpu
from benchmarks.commands.snapshots import oldest_snapshot_age

INTERVAL_SECONDS = 0.2

# Every client backend and autovacuum worker of this database but the watch's own.
_BACKENDS = """
SELECT pid, backend_type = 'autovacuum worker' FROM pg_stat_activity
 WHERE datname = current_database() AND pid <> pg_backend_pid()
   AND backend_type IN ('client backend', 'autovacuum worker')
"""


def spent_since(before: Mapping[int, float], after: Mapping[int, float]) -> float:
    """CPU seconds the backends read in ``after`` spent since ``before``: a backend absent
    from ``before`` (opened meanwhile) counts from zero; one absent from ``after`` counts nothing."""
    return sum(now - before.get(pid, 0.0) for pid, now in after.items())


@dataclass(slots=True)
class WatchedCase:
    """The readings of one case: CPU seconds so far per backend pid, and outside snapshot ages."""

    start: dict[int, float] = field(default_factory=dict)
    latest: dict[int, float] = field(default_factory=dict)
    autovacuum_start: dict[int, float] = field(default_factory=dict)
    autovacuum_latest: dict[int, float] = field(default_factory=dict)
    ages: list[int] = field(default_factory=list)

    def backend_seconds(self) -> float:
        """CPU seconds the database's client backends spent in the case."""
        return spent_since(self.start, self.latest)

    def autovacuum_seconds(self) -> float:
        """CPU seconds the database's autovacuum workers spent in the case."""
        return spent_since(self.autovacuum_start, self.autovacuum_latest)

    def backends(self) -> int:
        """Client backends seen during the case."""
        return len(self.latest)


class CaseWatch:
    """Reads the database's backends at ``start``, every ``interval`` seconds, and at ``stop``.

    ``ignored``: backends whose snapshots last one statement (the pool serving the
    case), left out of the snapshot age but not of the CPU.
    """

    def __init__(self, dsn: str, ignored: Iterable[int] = (), interval: float = INTERVAL_SECONDS) -> None:
        self.dsn, self.ignored, self.interval = dsn, list(ignored), interval
        self.case = WatchedCase()
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._sampler: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def _sample(self) -> None:
        assert self._conn is not None
        cur = await self._conn.execute(_BACKENDS)
        rows = await cur.fetchall()
        clients = backend_cpu([int(pid) for pid, autovacuum in rows if not autovacuum])
        workers = backend_cpu([int(pid) for pid, autovacuum in rows if autovacuum])
        self.case.latest |= clients
        self.case.autovacuum_latest |= workers
        self.case.ages.append(await oldest_snapshot_age(self._conn, self.ignored))

    async def _every_interval(self) -> None:
        # Stopped between samples, never inside one: a query cancelled midway would leave
        # the connection busy for the last reading.
        while True:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval)
            if self._stopping.is_set():
                return
            await self._sample()

    async def start(self) -> Self:
        self._conn = await psycopg.AsyncConnection.connect(self.dsn, autocommit=True)
        await self._sample()
        self.case.start = dict(self.case.latest)
        self.case.autovacuum_start = dict(self.case.autovacuum_latest)
        self._sampler = asyncio.create_task(self._every_interval())
        return self

    async def stop(self) -> WatchedCase:
        """Ends the sampling, takes the last reading and closes the watch's connection."""
        assert self._conn is not None
        assert self._sampler is not None
        self._stopping.set()
        await self._sampler
        await self._sample()
        await self._conn.close()
        return self.case
