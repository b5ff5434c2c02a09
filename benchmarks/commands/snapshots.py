"""Old snapshots that keep PostgreSQL from pruning a hot on-sale's dead row versions.

A hot on-sale updates the same rows (the show's stream row, a page's seats) over
and over. While any other session of the same database holds an older snapshot
(an open ``REPEATABLE READ`` transaction, a long statement, a replication slot),
those rows' dead versions cannot be pruned, and every update and lookup walks
more of them. ``oldest_snapshot_age`` reads how old the oldest such snapshot is,
in transactions, so a case can report whether something outside it held one;
``held_snapshot`` holds one on purpose, to measure what it costs. A reading is
of its moment: a snapshot taken and released between two readings is not seen,
so a case samples it in the background (``case_watch``) and reports the largest.
"""

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import psycopg

# Other sessions of this database (PostgreSQL 14+ ignores other databases' snapshots
# for this database's tables), replication slots, and standbys' hot_standby_feedback
# without a slot (the walsender's backend_xmin, whose datid is NULL), which hold back
# every database.
_OLDEST_AGE = """
SELECT greatest(
    (SELECT max(age(backend_xmin)) FROM pg_stat_activity
      WHERE datid = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND pid <> pg_backend_pid() AND NOT (pid = ANY(%s))),
    (SELECT max(age(xmin)) FROM pg_replication_slots),
    (SELECT max(age(backend_xmin)) FROM pg_stat_replication)
)
"""


async def oldest_snapshot_age(conn: psycopg.AsyncConnection[Any], ignored: Iterable[int] = ()) -> int:
    """Transactions since the oldest snapshot of another session (``ignored``: backends of the
    measurement itself, whose snapshots last one statement), a replication slot or a standby's
    feedback, at this moment; 0 if none."""
    cur = await conn.execute(_OLDEST_AGE, (list(ignored),))
    row = await cur.fetchone()
    return int(row[0]) if row and row[0] is not None else 0


async def database_snapshot_age(dsn: str) -> int:
    """``oldest_snapshot_age`` of any session of the database at ``dsn`` (the stack's included)."""
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        return await oldest_snapshot_age(conn)


@asynccontextmanager
async def held_snapshot(dsn: str) -> AsyncIterator[None]:
    """A ``REPEATABLE READ`` transaction that has taken its snapshot, open until the block ends."""
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        await conn.execute("SELECT 1")
        try:
            yield
        finally:
            await conn.execute("ROLLBACK")
