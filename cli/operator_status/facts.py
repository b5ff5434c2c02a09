"""Facts read from PostgreSQL (and Kafka's end offsets): relay leader, outbox, projections, replays.

Read-only, on the caller's autocommit session. Projection lag reuses
``projections.ops.status.collect_status`` (checkpoints against the topic's end
offsets); the rest are single queries of the registry and the runtime tables.
"""

from typing import Any

from psycopg import AsyncConnection

from cli.operator_status.report import LeaderSession, OutboxBacklog, Replay, VersionLag
from contracts.read_model import REGISTRY_SCHEMA

_LEADERS = (
    "SELECT a.pid, coalesce(a.application_name, ''), host(a.client_addr), a.backend_start"
    " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND l.classid::bigint = %s AND l.objid::bigint = %s ORDER BY a.pid"
)


async def relay_leaders(conn: AsyncConnection[Any], lock_key: int) -> list[LeaderSession]:
    """The sessions holding the relay's advisory lock in this database (one, when all is well).

    ``pg_try_advisory_lock(bigint)`` shows in ``pg_locks`` as classid = high 32 bits,
    objid = low 32 bits, objsubid = 1.
    """
    unsigned = lock_key & 0xFFFF_FFFF_FFFF_FFFF
    cur = await conn.execute(_LEADERS, (unsigned >> 32, unsigned & 0xFFFF_FFFF))
    return [LeaderSession(pid, name, addr, since) for pid, name, addr, since in await cur.fetchall()]


async def outbox_backlog(conn: AsyncConnection[Any]) -> OutboxBacklog:
    """Rows committed but not yet published, and how long ago the oldest of them happened."""
    cur = await conn.execute(
        "SELECT count(*), coalesce(extract(epoch FROM now() - min(occurred_at)), 0)::float8"
        " FROM write_model.outbox WHERE published_at IS NULL"
    )
    row = await cur.fetchone()
    rows, age = row if row else (0, 0.0)
    return OutboxBacklog(int(rows), max(0.0, float(age)))


async def projection_lags(
    conn: AsyncConnection[Any], database_url: str, bootstrap: str | None, names: list[str]
) -> list[VersionLag]:
    """Each building or live version of ``names``; its lag only when ``bootstrap`` is given (Kafka up)."""
    from projections.ops.status import collect_status
    from projections.runtime.sql import ident
    from projections.runtime.versions import versions

    lags: dict[tuple[str, int], tuple[int, float]] = {}
    if bootstrap is not None:
        for status in await collect_status(database_url, bootstrap, names, sample_seconds=0):
            lags[(status.projection, status.version)] = (status.lag_events, status.lag_seconds)
    out: list[VersionLag] = []
    for name in names:
        for v in await versions(conn, name):
            if v.state not in ("building", "live"):
                continue
            schema = ident(v.schema_name)
            cur = await conn.execute(
                f"SELECT (SELECT count(*) FILTER (WHERE redriven_at IS NULL) FROM {schema}.dead_letters),"
                f" (SELECT count(*) FROM {schema}.dead_letters), (SELECT count(*) FROM {schema}.quarantine)"
            )
            open_, total, quarantined = await cur.fetchone() or (0, 0, 0)
            lag_events, lag_seconds = lags.get((v.projection, v.version), (None, None))
            out.append(
                VersionLag(
                    v.projection, v.version, v.state, lag_events, lag_seconds, open_, total, quarantined
                )
            )
    return out


async def last_replays(conn: AsyncConnection[Any], names: list[str]) -> list[Replay]:
    """Per projection, its newest version made by a replay: when it started and when it was swapped in."""
    cur = await conn.execute(
        "SELECT DISTINCT ON (projection) projection, version, state, created_at, activated_at"
        f" FROM {REGISTRY_SCHEMA}.versions WHERE projection = ANY(%s) AND version > 1"
        " ORDER BY projection, version DESC",
        (names,),
    )
    found = {row[0]: Replay(*row) for row in await cur.fetchall()}
    return [found.get(name, Replay(name, None, None, None, None)) for name in names]
