"""Hot-path statements on the psycopg connection under a SQLAlchemy connection.

Round trips dominate a command's latency, and every round trip with the show
row locked lowers the commands per second of that show. psycopg's pipeline
mode sends queued statements together: the ``BEGIN`` rides with a transaction's
first statement (sent by ``_opening``, since psycopg's own waits for its answer),
and ``COMMIT`` with its last one. SQLAlchemy
does not pipeline, so these helpers run on its driver connection, inside the
transaction SQLAlchemy started (it emits no ``BEGIN`` itself with psycopg, and
its later ``commit()`` finds the connection idle and sends nothing). ``fetch``
skips SQLAlchemy's per-statement work (compilation cache, result wrapping,
greenlet hop), which is a good part of a command's CPU.

Errors surface as psycopg exceptions, not SQLAlchemy's ``DBAPIError``.
"""

import re
from collections.abc import Mapping, Sequence
from contextvars import ContextVar, Token
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import psycopg
from sqlalchemy.ext.asyncio import AsyncConnection

_BIND = re.compile(r"(?<![:\w]):(\w+)")


@lru_cache(maxsize=256)
def psycopg_sql(statement: str) -> str:
    """A ``text()`` statement (``:name`` parameters) in psycopg's ``%(name)s`` style.

    Like ``text()``, it takes every ``:word`` outside a ``::`` cast for a parameter, also in literals.
    """
    return _BIND.sub(r"%(\1)s", statement.replace("%", "%%"))


@dataclass(slots=True)
class Deferred:
    """A statement that rides with the transaction's first pipelined statement, saving a round trip.

    ``rows`` is None until it was sent; whoever deferred it must send it itself if no
    statement took it along (``send_if_pending``). Run inside another statement
    (``carrying``), its rows are known only by their number: one empty tuple each.
    """

    statement: str
    params: Mapping[str, Any]
    rows: list[tuple[Any, ...]] | None = None


@dataclass(frozen=True, slots=True)
class Statement:
    """A statement (``:name`` parameters) and its parameters, to run in a pipeline with others.

    ``carries_deferred``: the statement answers exactly one row, and a pending deferred
    statement may run inside it, first (``carrying``): one statement fewer per transaction.
    """

    sql: str
    params: Mapping[str, Any]
    carries_deferred: bool = False


def carrying(deferred: Deferred, statement: Statement) -> Statement:
    """``statement`` running ``deferred`` first, as a CTE; its row starts with the deferred's row count.

    The deferred statement is consumed whole (counted) before ``statement``'s row
    is computed, so whatever it waits for (a conflicting key) is waited for before
    ``statement`` takes its locks. Both see the one snapshot of the merged statement,
    so ``statement`` must not need to see what committed while ``deferred`` waited
    (a lock statement does not). Parameter names may repeat only with one value.
    """
    params = dict(statement.params)
    for name, value in deferred.params.items():
        if params.setdefault(name, value) != value:
            raise ValueError(f"parameter {name!r} has two values in one merged statement")
    sql = (
        f"WITH ahead AS ({deferred.statement}), ahead_rows AS (SELECT count(*) AS n FROM ahead) "
        f"SELECT ahead_rows.n, carried.* FROM ahead_rows CROSS JOIN LATERAL ({statement.sql}) AS carried"
    )
    return Statement(sql, params)


_deferred: ContextVar[Deferred | None] = ContextVar("boxoffice_deferred_statement", default=None)


def defer(deferred: Deferred | None) -> Token[Deferred | None]:
    """Send ``deferred`` ahead of the next transaction-opening statement of this task (reset the token)."""
    return _deferred.set(deferred)


def reset_deferred(token: Token[Deferred | None]) -> None:
    _deferred.reset(token)


async def send_if_pending(conn: AsyncConnection, deferred: Deferred) -> list[tuple[Any, ...]]:
    """The deferred statement's rows, running it now if no statement took it along."""
    if deferred.rows is None:
        if _deferred.get() is deferred:
            _deferred.set(None)
        deferred.rows = list(await execute(conn, deferred.statement, deferred.params))
    return deferred.rows


async def _opening(driver: "psycopg.AsyncConnection[Any]") -> bool:
    """Queue ``BEGIN`` as the pipeline's first statement if the transaction is still to open.

    psycopg would send its own ``BEGIN`` before the first statement, then sync the
    pipeline and wait for it: a round trip of its own. Queued here, it goes out with
    the statements after it. psycopg reads ``_autocommit`` only to decide whether
    to begin (and for two-phase commits); it is set for this one ``execute`` and
    never leaves this function changed. Once ``BEGIN`` is queued, the connection
    is busy, so psycopg begins nothing more. A connection with a non-default
    isolation level, read-only or deferrable setting is left to psycopg.
    """
    if driver.info.transaction_status != psycopg.pq.TransactionStatus.IDLE or driver.autocommit:
        return False
    if (driver.isolation_level, driver.read_only, driver.deferrable) != (None, None, None):
        return False
    driver._autocommit = True  # see the docstring
    try:
        await driver.execute("BEGIN")
    finally:
        driver._autocommit = False
    return True


async def driver_connection(conn: AsyncConnection) -> "psycopg.AsyncConnection[Any]":
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    if not isinstance(driver, psycopg.AsyncConnection):
        raise TypeError("the command side needs the psycopg async driver")
    return driver


async def execute(
    conn: AsyncConnection, statement: str, params: Mapping[str, Any], *, commit: bool = False
) -> Sequence[tuple[Any, ...]]:
    """Run one statement (after the transaction's ``BEGIN`` if it is the first) and optionally
    ``COMMIT``, in one round trip; returns the statement's rows."""
    driver = await driver_connection(conn)
    deferred = _deferred.get()
    if deferred is not None and driver.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        deferred = None  # it goes first in a transaction or not at all (its sender runs it then)
    async with driver.pipeline():
        await _opening(driver)
        if deferred is not None:
            _deferred.set(None)
            ahead = await driver.execute(psycopg_sql(deferred.statement), deferred.params)
        cursor = await driver.execute(psycopg_sql(statement), params)
        if commit:
            await driver.commit()
    if deferred is not None:
        deferred.rows = await ahead.fetchall()
    return await cursor.fetchall() if cursor.description is not None else []


async def fetch(conn: AsyncConnection, statement: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Run one statement in the connection's transaction; returns its rows as tuples.

    As a transaction's first statement it is pipelined with ``BEGIN``.
    """
    driver = await driver_connection(conn)
    if driver.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        return list(await execute(conn, statement, params))
    cursor = await driver.execute(psycopg_sql(statement), params)
    return await cursor.fetchall()


async def fetch_many(conn: AsyncConnection, statements: Sequence[Statement]) -> list[list[tuple[Any, ...]]]:
    """Run ``statements`` one after the other in one round trip (pipelined, after the transaction's
    ``BEGIN`` and deferred statement if they open it); the rows of each.

    Each statement still runs on its own: under READ COMMITTED each takes its
    snapshot when it starts, after the statements before it have finished (a
    lock taken by one is held when the next one reads).
    """
    driver = await driver_connection(conn)
    deferred = _deferred.get()
    if deferred is not None and driver.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        deferred = None
    carried = deferred is not None and bool(statements) and statements[0].carries_deferred
    if deferred is not None and carried:
        statements = [carrying(deferred, statements[0]), *statements[1:]]
    async with driver.pipeline():
        await _opening(driver)
        if deferred is not None:
            _deferred.set(None)
            if not carried:
                ahead = await driver.execute(psycopg_sql(deferred.statement), deferred.params)
        cursors = [await driver.execute(psycopg_sql(s.sql), s.params) for s in statements]
    results = [await c.fetchall() if c.description is not None else [] for c in cursors]
    if deferred is not None and carried:  # only the number of its rows came back: one () each
        deferred.rows = [()] * int(results[0][0][0])
        results[0] = [row[1:] for row in results[0]]
    elif deferred is not None:
        deferred.rows = await ahead.fetchall()
    return results


async def alone(conn: AsyncConnection, statement: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Run ``statement`` as a transaction of its own: one statement in one round trip, no ``BEGIN``
    or ``COMMIT`` sent. PostgreSQL commits it at the Sync that ends it, durably unless the
    statement itself sets ``synchronous_commit`` (the one-statement holds' fallback does, having
    written nothing), or rolls all of it back if it fails. The connection must be outside a transaction
    (``ValueError`` otherwise); it is left outside one, as it was.

    psycopg is told the connection is in autocommit for this one ``execute`` (as in
    ``_opening``), so it sends no ``BEGIN`` of its own; the flag never leaves this function changed.
    """
    driver = await driver_connection(conn)
    if driver.info.transaction_status != psycopg.pq.TransactionStatus.IDLE or driver.autocommit:
        raise ValueError("a statement alone needs a connection outside any transaction")
    driver._autocommit = True  # see the docstring
    try:
        cursor = await driver.execute(psycopg_sql(statement), params)
        return await cursor.fetchall()
    finally:
        driver._autocommit = False
