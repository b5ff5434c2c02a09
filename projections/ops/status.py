"""Where each projection version stands: position and lag per partition, rate, dead letters.

Read-only: it reads the registry and each version's runtime tables, and the
topic's end offsets; it never joins a consumer group.
"""

import asyncio
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from psycopg import AsyncConnection

from infra.db import libpq_dsn
from projections.runtime.sql import ident
from projections.runtime.topic_offsets import end_offsets
from projections.runtime.versions import Version, versions


@dataclass(frozen=True, slots=True)
class PartitionStatus:
    partition: int
    next_offset: int
    end_offset: int
    lag_events: int
    lag_seconds: float
    newest_event_at: str | None


@dataclass(slots=True)
class VersionStatus:
    projection: str
    version: int
    state: str
    schema_name: str
    consumer_group: str
    topic: str
    consumed: int = 0
    total: int = 0
    lag_events: int = 0
    lag_seconds: float = 0.0
    events_per_second: float = 0.0
    eta_seconds: float | None = None
    quarantined_shows: int = 0
    parked_events: int = 0
    dead_letters: int = 0
    partitions: list[PartitionStatus] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def _applied(conn: AsyncConnection[Any], v: Version) -> int:
    cur = await conn.execute(f"SELECT coalesce(sum(applied), 0) FROM {ident(v.schema_name)}.checkpoints")
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def _one(conn: AsyncConnection[Any], v: Version, ends: dict[int, int], rate: float) -> VersionStatus:
    s = ident(v.schema_name)
    status = VersionStatus(v.projection, v.version, v.state, v.schema_name, v.consumer_group, v.topic)
    cur = await conn.execute(f"SELECT partition, next_offset, event_at FROM {s}.checkpoints")
    stored = {p: (n, at) for p, n, at in await cur.fetchall()}
    now = datetime.now(UTC)
    for partition, end in sorted(ends.items()):
        offset, at = stored.get(partition, (0, None))
        lag = max(0, end - offset)
        seconds = (now - at).total_seconds() if lag and at is not None else 0.0
        status.partitions.append(
            PartitionStatus(partition, offset, end, lag, seconds, at.isoformat() if at else None)
        )
    status.consumed = sum(p.next_offset for p in status.partitions)
    status.total = sum(ends.values())
    status.lag_events = sum(p.lag_events for p in status.partitions)
    status.lag_seconds = max((p.lag_seconds for p in status.partitions), default=0.0)
    status.events_per_second = rate
    if v.state == "building" and rate > 0:
        status.eta_seconds = status.lag_events / rate
    cur = await conn.execute(
        f"SELECT (SELECT count(*) FROM {s}.quarantine), (SELECT count(*) FROM {s}.parked),"
        f" (SELECT count(*) FROM {s}.dead_letters)"
    )
    row = await cur.fetchone()
    if row:
        status.quarantined_shows, status.parked_events, status.dead_letters = map(int, row)
    return status


async def collect_status(
    database_url: str, bootstrap_servers: str, names: list[str] | None = None, sample_seconds: float = 1.0
) -> list[VersionStatus]:
    """Status of every building or live version of ``names`` (all projections when None).

    The rate is measured by sampling the applied counters ``sample_seconds`` apart.
    """
    async with await AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
        if names is None:
            cur = await conn.execute("SELECT DISTINCT projection FROM projection_meta.versions ORDER BY 1")
            names = [r[0] for r in await cur.fetchall()]
        active = [v for n in names for v in await versions(conn, n) if v.state in ("building", "live")]
        before = {v.schema_name: await _applied(conn, v) for v in active}
        started = time.monotonic()
        if sample_seconds > 0 and active:
            await asyncio.sleep(sample_seconds)
        elapsed = max(time.monotonic() - started, 1e-6)
        ends_by_topic = {t: await end_offsets(bootstrap_servers, t) for t in {v.topic for v in active}}
        out = []
        for v in active:
            rate = (await _applied(conn, v) - before[v.schema_name]) / elapsed if sample_seconds > 0 else 0.0
            out.append(await _one(conn, v, ends_by_topic[v.topic], rate))
        return out
