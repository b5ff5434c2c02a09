"""Applying one consumed batch: read rows, watermarks, dead letters and offsets in one transaction.

Guarantees:
- Atomic: the read-model changes and the partition offsets they consumed commit
  together or not at all, so a crash at any point replays exactly the
  uncommitted batch.
- Fenced: the offsets are advanced only where the stored offset still equals
  the one this consumer started from; otherwise nothing commits (``Fenced``).
- Gated: the version must still be building or live (``Retired`` otherwise);
  the gate is a share lock on the registry row, so a swap waits for an
  in-flight batch and later batches of the retired version see the swap.
- Idempotent per show: events at or below the show's watermark are dropped.
- Announced after COMMIT (``announce``): readers learn the shows moved, with the
  commit's WAL position for readers on a hot standby.
"""

import contextlib
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

import psycopg
from psycopg import AsyncConnection, AsyncPipeline
from psycopg.pq import TransactionStatus

from contracts.progress import encode_progress
from projections.runtime.announce import announce_committed
from projections.runtime.decoding import Incoming
from projections.runtime.poison import at, bury, park
from projections.runtime.projection import ApplyError, Deployment
from projections.runtime.sql import ident
from projections.runtime.statements import Statements, write
from projections.runtime.triage import DeadLetter, Triage, triage
from projections.runtime.versions import Version

# Errors that mean "the tables refuse these changes", as opposed to a lost connection.
REFUSALS = (ApplyError, psycopg.errors.IntegrityError, psycopg.DataError)


class Fenced(Exception):
    """Another consumer advanced these partitions: the batch was rolled back."""

    def __init__(self, partitions: list[int]) -> None:
        super().__init__(f"partitions {partitions} moved under this consumer")
        self.partitions = partitions


class Retired(Exception):
    """The version is no longer building or live: its consumer must stop."""


class DeadLetterSink(Protocol):
    """Publishes dead letters before the batch commits: at least once."""

    async def publish(self, version: Version, letters: list[DeadLetter]) -> None: ...


@dataclass(slots=True)
class BatchResult:
    applied: int = 0
    duplicates: int = 0
    parked: int = 0
    dead: int = 0
    next_offsets: dict[int, int] = field(default_factory=dict)
    newest_ms: dict[int, int] = field(default_factory=dict)
    consumed: dict[int, int] = field(default_factory=dict)
    notice: str | None = None  # for readers, sent once committed (announce)


class BatchWriter:
    """Commits batches of one projection version (see the module docstring)."""

    def __init__(self, deployment: Deployment, version: Version, sink: DeadLetterSink) -> None:
        self.deployment, self.version, self.sink = deployment, version, sink
        self.schema = ident(version.schema_name)

    async def commit(
        self, conn: AsyncConnection[Any], batch: list[Incoming], expected: dict[int, int]
    ) -> BatchResult:
        """Apply ``batch`` (records of partitions in ``expected``, in offset order per partition),
        then tell readers, with the commit's WAL position (``announce``)."""
        try:
            return await self._pipelined(conn, batch, expected)
        except REFUSALS:
            pass
        result = await self._isolating(conn, batch, expected)
        if result.notice is not None:
            await announce_committed(conn, result.notice)
        return result

    async def _pipelined(
        self, conn: AsyncConnection[Any], batch: list[Incoming], expected: dict[int, int]
    ) -> BatchResult:
        """The common case in three round trips (psycopg's pipeline mode): BEGIN with the gate, the
        fence and the reads; the projection's writes (whose row counts it checks); the watermarks,
        COMMIT and the notice. PostgreSQL runs the statements in the order sent, each with its own
        snapshot as before; after an error it skips the rest up to the next sync, so the notice is
        never sent for a batch that did not commit. Rolled back on any error, including a refusal
        (``REFUSALS``), which the caller then isolates."""
        try:
            async with conn.pipeline() as pipe:
                await conn.execute("BEGIN")
                result = _offsets(batch, expected)
                quarantined, marks = await self._open(conn, batch, expected, result, pipe)
                projection, writes = self.deployment.projection, Statements()
                sorted_ = triage(projection, batch, quarantined, marks)
                projection.stage(writes, self.version.schema_name, sorted_.changes, min(expected))
                await self._finish(conn, sorted_, result, writes)
                await conn.execute("COMMIT")
                assert result.notice is not None
                await announce_committed(conn, result.notice)
            # leaving the pipeline sent them and raised the first error if any
        except BaseException:
            await _roll_back(conn)
            raise
        return result

    async def _isolating(
        self, conn: AsyncConnection[Any], batch: list[Incoming], expected: dict[int, int]
    ) -> BatchResult:
        """Some event the fold accepted is refused by the tables: find it one event at a time."""
        projection, slot = self.deployment.projection, min(expected)
        async with conn.transaction():
            result = _offsets(batch, expected)
            quarantined, marks = await self._open(conn, batch, expected, result)
            bad: dict[tuple[int, int], str] = {}
            while True:
                sorted_ = triage(projection, batch, quarantined, marks, bad)
                try:
                    async with conn.transaction():
                        await self._one_by_one(conn, sorted_, slot, bad)
                    break
                except _Again:
                    continue
            await self._finish(conn, sorted_, result)
            return result

    async def _one_by_one(
        self, conn: AsyncConnection[Any], sorted_: Triage, slot: int, bad: dict[tuple[int, int], str]
    ) -> None:
        projection = self.deployment.projection
        for item in sorted_.applied:
            assert item.event is not None
            one = projection.apply(projection.empty(), item.event)
            try:
                async with conn.transaction():
                    await write(conn, projection, self.version.schema_name, one, slot)
            except REFUSALS as exc:
                bad[(item.record.partition, item.record.offset)] = f"refused by the read tables: {exc}"
                raise _Again from exc

    async def _open(
        self,
        conn: AsyncConnection[Any],
        batch: list[Incoming],
        expected: dict[int, int],
        result: BatchResult,
        pipe: AsyncPipeline | None = None,
    ) -> tuple[set[UUID], dict[UUID, int]]:
        """Gate, fence, then read the quarantine and watermarks of the batch's shows.

        In a pipeline (``pipe``) the four statements go in one round trip, still run in that
        order; the gate's answer is looked at first, whatever the others did.
        """
        gate = await conn.execute(
            "SELECT state FROM projection_meta.versions WHERE projection = %s AND version = %s FOR SHARE",
            (self.version.projection, self.version.version),
        )
        if pipe is None:
            _gated(self.version, await gate.fetchone())
        parts = sorted(result.next_offsets)
        fence = await conn.execute(
            f"UPDATE {self.schema}.checkpoints AS c SET next_offset = u.n, applied = c.applied + u.k,"
            " event_at = coalesce(u.at, c.event_at), updated_at = now()"
            " FROM unnest(%s::int[], %s::bigint[], %s::bigint[], %s::timestamptz[], %s::bigint[])"
            " AS u(p, e, n, at, k) WHERE c.partition = u.p AND c.next_offset = u.e RETURNING c.partition",
            (
                parts,
                [expected[p] for p in parts],
                [result.next_offsets[p] for p in parts],
                [at(result.newest_ms.get(p)) for p in parts],
                [result.consumed.get(p, 0) for p in parts],
            ),
        )
        shows = list({i.show_id for i in batch if i.show_id is not None})
        quarantine = await conn.execute(
            f"SELECT show_id FROM {self.schema}.quarantine WHERE show_id = ANY(%s) FOR SHARE", (shows,)
        )
        watermarks = await conn.execute(
            f"SELECT show_id, seq FROM {self.schema}.watermarks WHERE show_id = ANY(%s)", (shows,)
        )
        if pipe is not None:
            try:
                await pipe.sync()
            finally:  # a retired version's tables may be gone: that error means Retired
                if gate.pgresult is not None:
                    _gated(self.version, await gate.fetchone())
        moved = set(parts) - {r[0] for r in await fence.fetchall()}
        if moved:
            raise Fenced(sorted(moved))
        quarantined: set[UUID] = {r[0] for r in await quarantine.fetchall()}
        return quarantined, {r[0]: r[1] for r in await watermarks.fetchall()}

    async def _finish(
        self, conn: AsyncConnection[Any], t: Triage, result: BatchResult, writes: Statements | None = None
    ) -> None:
        """Watermarks (with the projection's ``writes`` when given), parked events, dead letters and
        quarantine; then the notice for readers."""
        s, writes = self.schema, writes or Statements()
        if t.watermarks:
            shows = list(t.watermarks)
            writes.add(
                f"INSERT INTO {s}.watermarks SELECT * FROM unnest(%s::uuid[], %s::bigint[],"
                " %s::timestamptz[])"
                " ON CONFLICT (show_id) DO UPDATE SET seq = excluded.seq, event_at = excluded.event_at",
                [shows, [t.watermarks[i][0] for i in shows], [t.watermarks[i][1] for i in shows]],
            )
        await writes.send(conn)
        await writes.verify()
        if t.parked:
            await park(conn, s, t.parked)
        for letter in t.dead:
            show = letter.incoming.show_id
            quarantines = show is not None and t.newly_quarantined.get(show) is letter
            await bury(conn, s, letter, quarantines=quarantines)
        if t.dead:
            await self.sink.publish(self.version, t.dead)
        result.notice = self._notice(t)
        result.applied, result.duplicates = len(t.applied), t.duplicates
        result.parked, result.dead = len(t.parked), len(t.dead)

    def _notice(self, t: Triage) -> str:
        """What changed, for readers keeping watermarks in memory (contracts.progress)."""
        d = self.deployment
        seqs = {show: mark[0] for show, mark in t.watermarks.items()}
        return encode_progress(d.registry_name, self.version.version, d.views_schema, d.projection.name, seqs)


def _gated(version: Version, row: tuple[Any, ...] | None) -> None:
    """The gate: the version must still be building or live."""
    if row is None or row[0] not in ("building", "live"):
        raise Retired(f"{version.schema_name} is {row[0] if row else 'gone'}")


async def _roll_back(conn: AsyncConnection[Any]) -> None:
    """End a pipelined batch's transaction without committing it (out of pipeline mode by now).

    A connection too broken for that is closed by the runner, which rolls the transaction back.
    """
    if conn.info.transaction_status != TransactionStatus.IDLE:
        with contextlib.suppress(psycopg.Error):
            await conn.execute("ROLLBACK")


class _Again(Exception):
    """One more event was found refused; sort the batch again without it."""


def _offsets(batch: list[Incoming], expected: dict[int, int]) -> BatchResult:
    """The offsets a batch moves each partition to, and how many records each consumed."""
    result = BatchResult(next_offsets=dict(expected))
    for item in batch:
        r = item.record
        result.next_offsets[r.partition] = max(result.next_offsets[r.partition], r.offset + 1)
        result.newest_ms[r.partition] = r.timestamp_ms
        result.consumed[r.partition] = result.consumed.get(r.partition, 0) + 1
    return result
