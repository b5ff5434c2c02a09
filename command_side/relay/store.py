"""Reading the outbox (the event store) and marking rows published."""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An outbox row: the exact bytes to publish and where they belong."""

    position: int
    show_id: UUID
    seq: int
    body: bytes


async def unpublished(engine: AsyncEngine, limit: int) -> list[StoredEvent]:
    """Committed, unpublished rows in insert order (partial index), so each show's rows come in seq order.

    Seqs of a show are taken under its row lock until commit, so when seq n+1
    is visible, 1..n are too: a batch holds, per show, a gapless run that
    continues where the previous batch stopped.
    """
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT position, show_id, seq, body FROM write_model.outbox "
                "WHERE published_at IS NULL ORDER BY position LIMIT :limit"
            ),
            {"limit": limit},
        )
        return [StoredEvent(r.position, r.show_id, r.seq, bytes(r.body)) for r in rows]


async def mark_published(engine: AsyncEngine, positions: Sequence[int]) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE write_model.outbox SET published_at = clock_timestamp() "
                "WHERE position = ANY(:positions) AND published_at IS NULL"
            ),
            {"positions": list(positions)},
        )


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
