"""Where a batch's poison goes, in the batch's transaction: dead letters, quarantine, parked events.

Guarantees: a dead letter is recorded once per (partition, offset), its error
refreshed when seen again; the show it quarantines is quarantined once, pointing
at that letter; a quarantined show's later events are kept once each, with their
original key, value and time, in offset order for a redrive.
"""

from datetime import UTC, datetime
from typing import Any

from psycopg import AsyncConnection

from projections.runtime.decoding import Incoming
from projections.runtime.triage import DeadLetter


async def bury(conn: AsyncConnection[Any], schema: str, letter: DeadLetter, *, quarantines: bool) -> None:
    """Record ``letter`` in ``schema``'s dead letters; with ``quarantines``, quarantine its show on it."""
    r, event = letter.incoming.record, letter.incoming.event
    cur = await conn.execute(
        f'INSERT INTO {schema}.dead_letters (show_id, partition, "offset", seq, event_type, error,'
        " key, value) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        ' ON CONFLICT (partition, "offset") DO UPDATE SET error = excluded.error RETURNING id',
        (
            letter.incoming.show_id,
            r.partition,
            r.offset,
            event.envelope.seq if event else None,
            event.envelope.type if event else None,
            letter.error,
            r.key,
            r.value,
        ),
    )
    row = await cur.fetchone()
    show = letter.incoming.show_id
    if quarantines and show is not None and row is not None:
        await conn.execute(
            f"INSERT INTO {schema}.quarantine (show_id, dead_letter_id, error) VALUES (%s, %s, %s)"
            " ON CONFLICT (show_id) DO NOTHING",
            (show, row[0], letter.error),
        )


async def park(conn: AsyncConnection[Any], schema: str, items: list[Incoming]) -> None:
    """Keep events of quarantined shows, in offset order, for a redrive."""
    await conn.cursor().executemany(
        f'INSERT INTO {schema}.parked (show_id, partition, "offset", key, value, event_at)'
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
        [
            (
                i.show_id,
                i.record.partition,
                i.record.offset,
                i.record.key,
                i.record.value or b"",
                at(i.record.timestamp_ms),
            )
            for i in items
        ],
    )


def at(ms: int | None) -> datetime | None:
    """A record's Kafka timestamp (milliseconds) as a time, if it has one."""
    return datetime.fromtimestamp(ms / 1000, UTC) if ms is not None else None
