"""The query API's connections: the read-only role, one async pool, consistent snapshots.

Every read of a request runs in one REPEATABLE READ transaction, or is one
statement (``one_statement``), so a body and the version its ETag is derived
from come from the same snapshot. The pool may
be on a hot standby (``BOXOFFICE_QUERY_DATABASE_URL``); the process then
listens on the primary (``query_api.consistency.replica``).
"""

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from contracts.read_model import READER_ROLE
from infra.db import libpq_dsn, sqlalchemy_url, with_credentials
from infra.settings import ServiceSettings
from query_api.http.roundtrips import count_roundtrip
from query_api.statement_connections import statement_connections

log = logging.getLogger(__name__)


def reader_url(services: ServiceSettings) -> str:
    """The configured query DSN, else the main server and database as ``boxoffice_reader``."""
    if services.query_database_url:
        return services.query_database_url
    if not services.database_url:
        raise RuntimeError("BOXOFFICE_DATABASE_URL (or BOXOFFICE_QUERY_DATABASE_URL) is not set")
    return with_credentials(services.database_url, READER_ROLE, services.reader_password.get_secret_value())


async def choose_url(services: ServiceSettings) -> str:
    """The reader DSN where that role can log in; the main DSN, with a warning, where it cannot.

    Falls back only when the main DSN does connect, so an unreachable server
    reports the reader's own error rather than hiding it.
    """
    return await _login(reader_url(services), services.database_url)


async def primary_url(services: ServiceSettings) -> str:
    """Where a query API reading a hot standby LISTENs: the primary (``BOXOFFICE_DATABASE_URL``),
    as the reader role where it can log in there, else as the main role."""
    main = services.database_url
    if not main:
        raise RuntimeError(
            "BOXOFFICE_QUERY_DATABASE_URL is a hot standby: set BOXOFFICE_DATABASE_URL to its primary, "
            "where the query API listens for the projectors' notices"
        )
    return await _login(
        with_credentials(main, READER_ROLE, services.reader_password.get_secret_value()), main
    )


async def in_recovery(url: str) -> bool:
    """Whether the server of ``url`` is a hot standby (``pg_is_in_recovery()``)."""
    async with await psycopg.AsyncConnection.connect(libpq_dsn(url), connect_timeout=5) as conn:
        cur = await conn.execute("SELECT pg_is_in_recovery()")
        row = await cur.fetchone()
    return bool(row and row[0])


async def _login(url: str, main: str | None) -> str:
    try:
        conn = await psycopg.AsyncConnection.connect(libpq_dsn(url), connect_timeout=5)
    except psycopg.OperationalError as reader_error:
        if not main or main == url:
            raise
        try:
            conn = await psycopg.AsyncConnection.connect(libpq_dsn(main), connect_timeout=5)
        except psycopg.OperationalError:
            raise reader_error from None
        await conn.close()
        log.warning(
            "the read-only role %s cannot log in (%s); the query API uses the main database role "
            "and is not protected against writes",
            READER_ROLE,
            str(reader_error).strip().splitlines()[0] if str(reader_error).strip() else "error",
        )
        return main
    await conn.close()
    return url


# A standby's lag: seconds since the last replayed commit while received WAL waits for replay, and 0
# once all received WAL is replayed (that timestamp alone keeps growing while the primary is idle).
_ROLE_SQL = text(
    "SELECT pg_is_in_recovery(), CASE WHEN NOT pg_is_in_recovery() THEN NULL"
    " WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0.0"
    " ELSE greatest(0.0, extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()))::float8"
    " END"
)


async def server_role(conn: AsyncConnection) -> tuple[str, float | None]:
    """``("primary", None)``, or ``("replica", replay lag in seconds)`` (None while unknown)."""
    row = (await conn.execute(_ROLE_SQL)).one()
    return ("replica", None if row[1] is None else float(row[1])) if row[0] else ("primary", None)


def create_engine(url: str, pool_size: int) -> AsyncEngine:
    """An async pool over psycopg whose transactions are consistent snapshots."""
    return create_async_engine(
        sqlalchemy_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        # One snapshot per transaction: versions and bodies read together agree.
        isolation_level="REPEATABLE READ",
    )


async def snapshot_pipeline(
    engine: AsyncEngine,
    queries: Sequence[sql.Composed | sql.SQL | bytes],
    params: Sequence[tuple[object, ...]],
) -> list[list[dict[str, Any]]]:
    """Each query's rows as dicts, from one REPEATABLE READ transaction sent as one pipeline:
    ``BEGIN``, the queries, ``ROLLBACK`` (one snapshot, one round trip in all, counted as one).

    For reads whose statements need not wait for each other's rows; the
    connection goes back to the pool out of any transaction and as the pool
    hands it out (not autocommit), or is discarded. Fails as
    :func:`one_statement` does.
    """
    count_roundtrip()
    async with engine.connect() as conn:  # no statement through SQLAlchemy: it begins nothing
        driver = await _driver(conn)
        cursors = [driver.cursor(row_factory=dict_row) for _ in queries]
        try:
            await driver.set_autocommit(True)
            try:
                async with driver.pipeline():
                    await driver.execute(_BEGIN)
                    for cur, query, values in zip(cursors, queries, params, strict=True):
                        await cur.execute(query, values)
                    await driver.execute(_ROLLBACK)
                return [await cur.fetchall() for cur in cursors]
            finally:
                await _back_to_pool(conn, driver)
        except psycopg.Error as error:
            raise await _as_dbapi_error(conn, driver, error, params) from error
        finally:
            for cur in cursors:
                await cur.close()


_BEGIN = sql.SQL("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
_ROLLBACK = sql.SQL("ROLLBACK")


async def _back_to_pool(conn: AsyncConnection, driver: psycopg.AsyncConnection[Any]) -> None:
    """Out of the failed pipeline's transaction, if any, and autocommit off; else the connection goes."""
    if driver.broken:
        return
    try:
        if driver.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            await driver.execute(_ROLLBACK)
        await driver.set_autocommit(False)
    except psycopg.Error:
        await conn.invalidate()


async def one_statement(
    engine: AsyncEngine, query: sql.Composed | bytes, params: dict[str, object]
) -> list[tuple[Any, ...]]:
    """``query``'s rows as plain tuples, sent alone, outside any transaction, on a connection kept in
    autocommit (``statement_connections``, not the pool's): one round trip in all.

    PostgreSQL runs a statement outside a transaction block against one snapshot,
    so everything one statement reads (a version and the body it labels, say) is
    as consistent as a REPEATABLE READ transaction's reads, without its BEGIN and
    ROLLBACK, which would be round trips of their own. Counted as one. Fails as
    SQLAlchemy's statements do (``DBAPIError``, the connection invalidated when
    lost), so the query API's error handlers answer as for any other read.
    """
    count_roundtrip()
    broken: bool | None = None  # known once a connection was had
    try:
        async with statement_connections(engine).connection() as conn:
            try:
                async with conn.cursor() as cur:
                    await cur.execute(query, params)
                    return await cur.fetchall()
            except psycopg.Error:
                broken = conn.broken  # a statement timeout or cancel leaves the connection fine
                raise
    except psycopg.Error as error:  # a connection lost is not reused (``StatementConnections``)
        lost = isinstance(error, psycopg.OperationalError) if broken is None else broken
        raise DBAPIError.instance(None, params, error, psycopg.Error, connection_invalidated=lost) from error


async def _as_dbapi_error(
    conn: AsyncConnection,
    driver: psycopg.AsyncConnection[Any],
    error: psycopg.Error,
    params: Mapping[str, object] | Sequence[object],
) -> StatementError:
    """``error`` of a statement sent past SQLAlchemy as SQLAlchemy would raise it (``DBAPIError``, the
    connection invalidated when lost), so the query API's error handlers answer it as any other read's."""
    lost = driver.broken
    if lost:
        await conn.invalidate()
    return DBAPIError.instance(None, params, error, psycopg.Error, connection_invalidated=lost)


async def _driver(conn: AsyncConnection) -> psycopg.AsyncConnection[Any]:
    raw = await conn.get_raw_connection()
    driver: psycopg.AsyncConnection[Any] = raw.driver_connection  # type: ignore[assignment]
    return driver


@asynccontextmanager
async def snapshot(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside one read transaction, rolled back at the end (nothing is written)."""
    async with engine.connect() as conn, conn.begin():
        yield conn
