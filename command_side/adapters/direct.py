"""Hot-path statements on the psycopg connection under a SQLAlchemy connection.

Round trips dominate a command's latency, and every round trip with the show
row locked lowers the commands per second of that show. psycopg's pipeline
mode sends queued statements together: the implicit ``BEGIN`` rides with a
transaction's first statement, and ``COMMIT`` with its last one. SQLAlchemy
does not pipeline, so these helpers run on its driver connection, inside the
transaction SQLAlchemy started (it emits no ``BEGIN`` itself with psycopg, and
its later ``commit()`` finds the connection idle and sends nothing). ``fetch``
skips SQLAlchemy's per-statement work (compilation cache, result wrapping,
greenlet hop), which is a good part of a command's CPU.

Errors surface as psycopg exceptions, not SQLAlchemy's ``DBAPIError``.
"""

import re
from collections.abc import Mapping, Sequence
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
    async with driver.pipeline():
        cursor = await driver.execute(psycopg_sql(statement), params)
        if commit:
            await driver.commit()
    return await cursor.fetchall() if cursor.description is not None else []


async def fetch(conn: AsyncConnection, statement: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Run one statement in the connection's transaction; returns its rows as tuples.

    As a transaction's first statement it is pipelined with the implicit ``BEGIN``.
    """
    driver = await driver_connection(conn)
    if driver.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        return list(await execute(conn, statement, params))
    cursor = await driver.execute(psycopg_sql(statement), params)
    return await cursor.fetchall()
