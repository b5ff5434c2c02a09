"""The outbox rows for the relay and republishing: reading them, marking them published."""

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast
from uuid import UUID

import psycopg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from command_side.adapters.direct import psycopg_sql
from infra.db import libpq_dsn
from infra.telemetry import tracing

_UNPUBLISHED = (
    "SELECT position, show_id, seq, body, occurred_at FROM write_model.outbox "
    "WHERE published_at IS NULL ORDER BY position LIMIT :limit"
)
# With tracing on, the relay also reads each row's trace context (``StoredEvent.traceparent``).
UNPUBLISHED_TRACED = _UNPUBLISHED.replace(" FROM ", ", traceparent FROM ", 1)
_MARK_PUBLISHED = (
    "UPDATE write_model.outbox SET published_at = clock_timestamp() "
    "WHERE position = ANY(:positions) AND published_at IS NULL"
)


# Marks a batch and reads the next one, in one statement: its read's snapshot predates the
# UPDATE's effects, so the marked rows, which still look unpublished to it, are left out by name.
def _marking(read: str) -> str:
    return f"WITH marked AS ({_MARK_PUBLISHED}) " + read.replace(
        "WHERE published_at IS NULL", "WHERE published_at IS NULL AND position <> ALL(:positions)"
    )


_MARK_AND_READ, _MARK_AND_READ_TRACED = _marking(_UNPUBLISHED), _marking(UNPUBLISHED_TRACED)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An outbox row: the exact bytes to publish and where they belong."""

    position: int
    show_id: UUID
    seq: int
    body: bytes
    occurred_at: datetime | None = None  # the command's clock at its transaction's start
    traceparent: str | None = None  # the command's trace context, read only while tracing (infra.telemetry)


async def mark_published(engine: AsyncEngine, positions: Sequence[int]) -> None:
    """Mark rows published, on a pooled connection (republishing; the relay uses ``RelaySession``)."""
    async with engine.begin() as conn:
        await conn.execute(text(_MARK_PUBLISHED), {"positions": list(positions)})


class RelaySession:
    """The relay leader's own autocommit session: ``unpublished`` and ``mark_published`` in one round trip.

    Each is a statement of its own (a single SELECT sees one snapshot, a single
    UPDATE is atomic), without a pool or BEGIN/ROLLBACK around them: the relay's
    latency is a few round trips. After an error the session is closed and the
    next call reconnects.
    """

    def __init__(self, database_url: str, connect_timeout: int = 3) -> None:
        self._dsn = libpq_dsn(database_url)
        self._connect_timeout = connect_timeout
        self._conn: psycopg.AsyncConnection[tuple[object, ...]] | None = None

    async def _connected(self) -> psycopg.AsyncConnection[tuple[object, ...]]:
        if self._conn is None or self._conn.closed:
            self._conn = await psycopg.AsyncConnection.connect(
                self._dsn,
                autocommit=True,
                connect_timeout=self._connect_timeout,
                application_name="boxoffice-relay",
            )
        return self._conn

    async def unpublished(self, limit: int) -> list[StoredEvent]:
        """Committed, unpublished rows in insert order (partial index), so each show's rows come in seq order.

        Seqs of a show are taken under its row lock until commit
        (``adapters.outbox``), so when seq n+1 is visible, 1..n are too: a
        batch holds, per show, a gapless run that continues where the previous
        batch stopped.
        """
        return await self._read(UNPUBLISHED_TRACED if tracing.on else _UNPUBLISHED, {"limit": limit})

    async def _read(self, statement: str, params: dict[str, object]) -> list[StoredEvent]:
        try:
            conn = await self._connected()
            cursor = await conn.execute(psycopg_sql(statement), params)
            rows = await cursor.fetchall()
        except BaseException:
            await self.close()
            raise
        return [StoredEvent(*cast(tuple[int, UUID, int, bytes, datetime], row)) for row in rows]

    async def mark_published(self, positions: Sequence[int]) -> None:
        """Mark rows published (only after Kafka acked every one of them)."""
        try:
            conn = await self._connected()
            await conn.execute(psycopg_sql(_MARK_PUBLISHED), {"positions": list(positions)})
        except BaseException:
            await self.close()
            raise

    async def mark_published_and_read(self, positions: Sequence[int], limit: int) -> list[StoredEvent]:
        """``mark_published``, then ``unpublished``, in one statement (one round trip, atomic).

        The read sees what committed before the statement started, as a read of its
        own right after the mark would (give or take commits racing it, which the
        next read sees); the rows it marks are not in it.
        """
        statement = _MARK_AND_READ_TRACED if tracing.on else _MARK_AND_READ
        return await self._read(statement, {"positions": list(positions), "limit": limit})

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.closed:
            with contextlib.suppress(Exception):
                await conn.close()


async def count_events(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM write_model.outbox"))).scalar_one())


async def events_after(engine: AsyncEngine, show_id: UUID | None, seq: int, limit: int) -> list[StoredEvent]:
    """All rows after (show_id, seq) in (show_id, seq) order: keyset pages over the whole store."""
    where = "" if show_id is None else "WHERE (show_id, seq) > (:show_id, :seq) "
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                f"SELECT position, show_id, seq, body FROM write_model.outbox {where}"
                "ORDER BY show_id, seq LIMIT :limit"
            ),
            {"show_id": show_id, "seq": seq, "limit": limit},
        )
        return [StoredEvent(r.position, r.show_id, r.seq, bytes(r.body)) for r in rows]
