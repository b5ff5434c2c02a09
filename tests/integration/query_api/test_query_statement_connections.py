"""The connections of one-statement reads: bounded by the pool's size, never reused after a statement
left midway, closed with the engine."""

import asyncio

import psycopg
import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.util import greenlet_spawn

from infra.db import libpq_dsn
from query_api.database import create_engine, one_statement
from query_api.statement_connections import statement_connections

pytestmark = pytest.mark.integration
PID = b"SELECT pg_backend_pid()"
SLOW_PID = b"SELECT pg_backend_pid() FROM pg_sleep(0.05)"


async def _alive(database_url: str, pids: set[int]) -> set[int]:
    async with await psycopg.AsyncConnection.connect(libpq_dsn(database_url)) as conn:
        cur = await conn.execute("SELECT pid FROM pg_stat_activity WHERE pid = ANY(%s)", (list(pids),))
        return {row[0] for row in await cur.fetchall()}


async def test_statements_share_at_most_the_pool_size_of_connections_kept_in_autocommit(
    database_url: str,
) -> None:
    engine = create_engine(database_url, 2)
    try:
        pids = await asyncio.gather(
            *(one_statement(engine, b"SELECT pg_backend_pid() FROM pg_sleep(0.05)", {}) for _ in range(6))
        )
        assert len({rows[0][0] for rows in pids}) == 2
        assert statement_connections(engine).opened == 2
        status = await one_statement(engine, b"SELECT current_setting('transaction_isolation')", {})
        assert status == [("read committed",)]  # outside any transaction block: the statement's own
    finally:
        await engine.dispose()


async def test_a_statement_cancelled_midway_leaves_no_connection_busy(database_url: str) -> None:
    """One connection: the statement after a cancelled one gets its own answer at once (the connection is
    idle again, or replaced), never the cancelled one's."""
    engine = create_engine(database_url, 1)
    try:
        slow = asyncio.create_task(one_statement(engine, b"SELECT 'slow' FROM pg_sleep(5)", {}))
        await asyncio.sleep(0.3)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        answer = await asyncio.wait_for(one_statement(engine, b"SELECT 'next'", {}), 2)
        assert answer == [("next",)]
        assert statement_connections(engine).opened <= 2
    finally:
        await engine.dispose()


async def test_the_connections_are_closed_with_the_engine(database_url: str) -> None:
    engine = create_engine(database_url, 2)
    pids = {rows[0][0] for rows in await asyncio.gather(*(one_statement(engine, PID, {}) for _ in range(2)))}
    assert await _alive(database_url, pids) == pids
    await engine.dispose()
    for _ in range(50):  # the server sees a closed connection go a moment later
        if not await _alive(database_url, pids):
            break
        await asyncio.sleep(0.05)
    assert not await _alive(database_url, pids)


async def test_an_engine_used_again_after_its_dispose_gets_new_connections(database_url: str) -> None:
    engine = create_engine(database_url, 1)
    try:
        first = (await one_statement(engine, PID, {}))[0][0]
        await engine.dispose()
        second = (await one_statement(engine, PID, {}))[0][0]
        assert second != first
    finally:
        await engine.dispose()
        await engine.dispose()  # nothing left to close: no error


async def test_statements_waiting_when_the_engine_is_disposed_are_all_answered(database_url: str) -> None:
    """One connection, busy; three statements wait for it; the engine is disposed: every waiter is
    answered (on the engine's new connections), none is left waiting nor refused."""
    engine = create_engine(database_url, 1)
    try:
        busy = asyncio.create_task(one_statement(engine, b"SELECT 'busy' FROM pg_sleep(0.5)", {}))
        await asyncio.sleep(0.1)
        read = b"SELECT %(n)s::int"
        waiting = [asyncio.create_task(one_statement(engine, read, {"n": n})) for n in range(3)]
        await asyncio.sleep(0.1)
        await engine.dispose()
        answers = await asyncio.wait_for(asyncio.gather(busy, *waiting), 10)
        assert answers == [[("busy",)], [(0,)], [(1,)], [(2,)]]
    finally:
        await engine.dispose()


async def test_a_connection_given_back_goes_to_the_oldest_waiter_not_a_newcomer(database_url: str) -> None:
    """One connection: a statement waits for it; the holder gives it back and at once asks for one
    again (a newcomer that runs before the woken waiter): the waiter is served first."""
    engine = create_engine(database_url, 1)
    connections, served = statement_connections(engine), list[str]()

    async def waiter() -> None:
        async with connections.connection():
            served.append("waiter")

    try:
        holder = connections.connection()
        await holder.__aenter__()
        waiting = asyncio.create_task(waiter())
        await asyncio.sleep(0.05)  # the waiter is queued
        await holder.__aexit__(None, None, None)
        async with asyncio.timeout(5), connections.connection():
            served.append("newcomer")
        await waiting
        assert served == ["waiter", "newcomer"]
    finally:
        await engine.dispose()


async def test_once_one_connection_is_found_lost_the_others_are_replaced_before_use(
    database_url: str,
) -> None:
    """The server ends every session of the engine (as a restart would): one read fails, the next
    ones (on the kept connections and on the pool's) are answered on new connections."""
    engine = create_engine(database_url, 3)
    try:
        pids = {
            row[0][0]
            for row in await asyncio.gather(*(one_statement(engine, SLOW_PID, {}) for _ in range(3)))
        }
        async with engine.connect() as conn:  # one of the pool's own connections, back in the pool
            pids.add((await conn.exec_driver_sql("SELECT pg_backend_pid()")).scalar_one())
        async with await psycopg.AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as admin:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", (list(pids),)
            )
        for _ in range(50):
            if not await _alive(database_url, pids):
                break
            await asyncio.sleep(0.05)
        failed = 0
        for _ in range(6):
            try:
                assert await one_statement(engine, b"SELECT 1", {}) == [(1,)]
            except DBAPIError:
                failed += 1
        assert failed <= 1
        async with engine.connect() as conn:
            assert (await conn.exec_driver_sql("SELECT 1")).scalar_one() == 1
    finally:
        await engine.dispose()


async def test_a_dispose_in_another_process_closes_none_of_the_connections(database_url: str) -> None:
    """As in a child after fork: the sockets are the parent's, so they are left open, only forgotten."""
    engine = create_engine(database_url, 1)
    pid = (await one_statement(engine, PID, {}))[0][0]
    connections = statement_connections(engine)
    held = connections._idle[0]
    connections._pid = -1  # as if this were a child process
    await engine.dispose()
    try:
        assert await _alive(database_url, {pid}) == {pid}
        assert not connections._idle
    finally:
        await greenlet_spawn(held[0].invalidate)  # the test's own cleanup: closed here after all
        await engine.dispose()


async def test_a_failed_statement_marks_its_connection_invalidated_only_when_it_was_lost(
    database_url: str,
) -> None:
    """A cancelled statement (as a statement timeout is) leaves its connection fine and reused; a
    session the server ended is lost."""
    engine = create_engine(database_url, 1)
    try:
        pid = (await one_statement(engine, PID, {}))[0][0]
        with pytest.raises(DBAPIError) as cancelled:
            await one_statement(engine, b"SELECT pg_cancel_backend(pg_backend_pid()), pg_sleep(1)", {})
        assert isinstance(cancelled.value.orig, psycopg.errors.QueryCanceled)
        assert not cancelled.value.connection_invalidated
        assert (await one_statement(engine, PID, {}))[0][0] == pid
        with pytest.raises(DBAPIError) as ended:
            await one_statement(engine, b"SELECT pg_terminate_backend(pg_backend_pid())", {})
        assert ended.value.connection_invalidated
    finally:
        await engine.dispose()
