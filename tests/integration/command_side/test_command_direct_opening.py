"""The BEGIN that ``adapters.direct`` queues itself (through psycopg's private ``_autocommit``).

It must open a real transaction, leave psycopg's own BEGIN to connections with
non-default transaction settings, never leave the connection in autocommit when
something fails half-way, and leave a connection whose pipeline failed clean for
the pool.
"""

import psycopg
import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy.ext.asyncio import AsyncEngine

from command_side.adapters import direct

pytestmark = pytest.mark.integration

_LEVEL = "SELECT current_setting('transaction_isolation'), txid_current() IS NOT NULL"


def status(driver: "psycopg.AsyncConnection[object]") -> TransactionStatus:
    return TransactionStatus(driver.info.transaction_status)


async def test_a_first_statement_opens_a_transaction_that_rollback_undoes(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.begin()
        rows = await direct.fetch(conn, _LEVEL, {})
        driver = await direct.driver_connection(conn)
        assert rows == [("read committed", True)]
        assert status(driver) == TransactionStatus.INTRANS
        assert driver.autocommit is False
        xid = (await direct.fetch(conn, "SELECT txid_current()", {}))[0][0]
        again = (await direct.fetch(conn, "SELECT txid_current()", {}))[0][0]
        assert xid == again, "each statement ran in a transaction of its own"
        await conn.rollback()
        assert status(driver) == TransactionStatus.IDLE


async def test_a_non_default_isolation_level_is_left_to_psycopg(engine: AsyncEngine) -> None:
    serializable = engine.execution_options(isolation_level="SERIALIZABLE")
    async with serializable.connect() as conn:
        await conn.begin()
        assert await direct.fetch(conn, _LEVEL, {}) == [("serializable", True)]
        await conn.rollback()


async def test_a_failure_half_way_leaves_no_autocommit_and_a_clean_connection(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.begin()
        driver = await direct.driver_connection(conn)
        with pytest.raises(psycopg.errors.DivisionByZero):
            await direct.fetch_many(
                conn,
                [direct.Statement("SELECT 1", {}), direct.Statement("SELECT 1 / :zero", {"zero": 0})],
            )
        assert driver.autocommit is False
        assert status(driver) == TransactionStatus.INERROR
        await conn.rollback()
        assert status(driver) == TransactionStatus.IDLE
        await conn.begin()
        assert await direct.fetch(conn, "SELECT 2", {}) == [(2,)]
        await conn.rollback()

    async with engine.connect() as conn:
        await conn.begin()
        driver = await direct.driver_connection(conn)
        await driver.close()  # the connection lost before BEGIN could even be queued
        with pytest.raises(psycopg.OperationalError):
            await direct.fetch(conn, "SELECT 1", {})
        assert driver.autocommit is False
        await conn.invalidate()
