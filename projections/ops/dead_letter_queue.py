"""Listing dead letters and re-driving quarantined shows once the cause is fixed.

A redrive of a show runs in one transaction: it locks the show's quarantine
row (the projector takes a share lock on it before parking, so no parked event
can slip in unseen), decodes the dead event and the parked events again with
the current code, applies them in offset order with the usual watermark rule
(duplicates dropped), then deletes the parked rows and the quarantine and marks
the dead letters redriven. If anything still fails, nothing changes and the
show stays quarantined. ``skip_dead`` applies the parked events without the
dead one, for an event the operator has judged to be garbage.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from contracts.progress import PROGRESS_CHANNEL
from infra.db import libpq_dsn
from projections.runtime.batch import REFUSALS
from projections.runtime.decoding import Record, decode
from projections.runtime.projection import Deployment
from projections.runtime.sql import ident
from projections.runtime.statements import write
from projections.runtime.triage import triage
from projections.runtime.versions import Version, find


@dataclass(frozen=True, slots=True)
class DeadLetterRow:
    projection: str
    version: int
    id: int
    show_id: UUID | None
    partition: int
    offset: int
    seq: int | None
    event_type: str | None
    error: str
    dead_at: datetime
    redriven_at: datetime | None
    quarantined: bool
    parked: int


@dataclass(frozen=True, slots=True)
class RedriveResult:
    show_id: UUID
    applied: int
    duplicates: int
    error: str | None


async def list_dead_letters(
    conn: AsyncConnection[Any], version: Version, show_id: UUID | None = None, include_redriven: bool = False
) -> list[DeadLetterRow]:
    s = ident(version.schema_name)
    cur = await conn.execute(
        f'SELECT d.id, d.show_id, d.partition, d."offset", d.seq, d.event_type, d.error, d.dead_at,'
        f" d.redriven_at, q.show_id IS NOT NULL,"
        f" (SELECT count(*) FROM {s}.parked p WHERE p.show_id = d.show_id)"
        f" FROM {s}.dead_letters d LEFT JOIN {s}.quarantine q ON q.show_id = d.show_id"
        " WHERE (%s::uuid IS NULL OR d.show_id = %s) AND (%s OR d.redriven_at IS NULL)"
        ' ORDER BY d.partition, d."offset"',
        (show_id, show_id, include_redriven),
    )
    return [DeadLetterRow(version.projection, version.version, *row) for row in await cur.fetchall()]


async def redrive(
    deployment: Deployment, database_url: str, show_id: UUID | None = None, *, skip_dead: bool = False
) -> list[RedriveResult]:
    """Re-drive every quarantined show of the live version (or only ``show_id``)."""
    async with await AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
        live = await find(conn, deployment.registry_name, "live")
        if live is None:
            return []
        s = ident(live.schema_name)
        cur = await conn.execute(
            f"SELECT show_id FROM {s}.quarantine WHERE %s::uuid IS NULL OR show_id = %s ORDER BY since",
            (show_id, show_id),
        )
        shows = [r[0] for r in await cur.fetchall()]
        return [await _redrive_show(conn, deployment, live, show, skip_dead) for show in shows]


async def _redrive_show(
    conn: AsyncConnection[Any], deployment: Deployment, live: Version, show: UUID, skip_dead: bool
) -> RedriveResult:
    s, projection = ident(live.schema_name), deployment.projection
    try:
        async with conn.transaction():
            cur = await conn.execute(f"SELECT 1 FROM {s}.quarantine WHERE show_id = %s FOR UPDATE", (show,))
            if await cur.fetchone() is None:
                return RedriveResult(show, 0, 0, None)  # lifted meanwhile
            dead_filter = "false" if skip_dead else "redriven_at IS NULL"
            cur = await conn.execute(
                f'SELECT partition, "offset", key, value FROM {s}.dead_letters'
                f" WHERE show_id = %s AND {dead_filter} AND value IS NOT NULL"
                ' UNION ALL SELECT partition, "offset", key, value FROM'
                f" {s}.parked WHERE show_id = %s ORDER BY 1, 2",
                (show, show),
            )
            items = [decode(Record(p, o, k, v, 0)) for p, o, k, v in await cur.fetchall()]
            cur = await conn.execute(f"SELECT seq FROM {s}.watermarks WHERE show_id = %s", (show,))
            row = await cur.fetchone()
            sorted_ = triage(projection, items, set(), {show: row[0]} if row else {})
            if sorted_.dead:
                raise _StillFailing(sorted_.dead[0].error)
            slot = min((i.record.partition for i in items), default=0)
            await write(conn, projection, live.schema_name, sorted_.changes, slot)
            if show in sorted_.watermarks:
                seq, at = sorted_.watermarks[show]
                await conn.execute(
                    f"INSERT INTO {s}.watermarks VALUES (%s, %s, %s) ON CONFLICT (show_id)"
                    " DO UPDATE SET seq = excluded.seq, event_at = excluded.event_at",
                    (show, seq, at),
                )
            await conn.execute(f"DELETE FROM {s}.parked WHERE show_id = %s", (show,))
            await conn.execute(f"DELETE FROM {s}.quarantine WHERE show_id = %s", (show,))
            await conn.execute(
                f"UPDATE {s}.dead_letters SET redriven_at = now() WHERE show_id = %s AND redriven_at IS NULL",
                (show,),
            )
            await conn.execute("SELECT pg_notify(%s, %s)", (PROGRESS_CHANNEL, deployment.registry_name))
    except _StillFailing as exc:
        return RedriveResult(show, 0, 0, str(exc))
    except REFUSALS as exc:
        return RedriveResult(show, 0, 0, f"refused by the read tables: {exc}")
    return RedriveResult(show, len(sorted_.applied), sorted_.duplicates, None)


class _StillFailing(Exception):
    """An event of the show still cannot be decoded or applied: roll the redrive back."""
