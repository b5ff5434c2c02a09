"""WAL positions, as numbers: the primary's (for notices without one) and a standby's replay."""

from typing import Any

import psycopg

# Every record inserted so far, an asynchronous commit's included (it may not be flushed yet).
_PRIMARY_LSN = "SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn"
_REPLAYED_LSN = "SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn"


async def primary_lsn(conn: psycopg.AsyncConnection[Any]) -> int:
    """The primary's position: past the commit of everything committed before the call."""
    lsn = await _number(conn, _PRIMARY_LSN)
    if lsn is None:
        raise psycopg.OperationalError("the primary reported no WAL position")
    return lsn


async def replayed_lsn(conn: psycopg.AsyncConnection[Any]) -> int | None:
    """How far a standby has replayed; None when the server is not in recovery."""
    return await _number(conn, _REPLAYED_LSN)


async def wal_block_size(conn: psycopg.AsyncConnection[Any]) -> int:
    return await _number(conn, "SELECT current_setting('wal_block_size')::int") or 8192


async def _number(conn: psycopg.AsyncConnection[Any], query: str) -> int | None:
    cur = await conn.execute(query)
    row = await cur.fetchone()
    return None if row is None or row[0] is None else int(row[0])
