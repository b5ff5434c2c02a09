"""Connections kept in autocommit for the reads sent as one statement (``database.one_statement``).

A rebuild on the lean path is one statement outside any transaction block. Sent
through SQLAlchemy's pool it paid the pool's checkout and return (greenlet hops,
the reset on return) and two autocommit switches, about 0.55 ms of the event
loop's CPU per statement, as much as the statement itself; one build of the
dashboard, an availability or a seat map per hold. These connections are
taken from the engine's pool once (so they connect exactly as the engine does:
server, role, connection arguments), switched to autocommit once and kept out
of the pool, so a statement costs its execution only.

Guarantees: at most ``size`` connections are open (a statement waits for one
when all are in use; a connection coming back, or the place of one not reused, is
handed to the oldest waiter, and a newcomer queues behind the waiters: first come,
first served); a connection goes back to the idle set
only when it is idle outside any transaction (one lost, or still busy after a
statement cancelled midway, is closed and the next statement opens another); once one
is found lost, every connection opened before it, kept here or in the engine's pool, is
replaced before its next use (after a restart or failover at most the statements then in
flight fail, not one per kept connection), and a loss the pool found replaces these too;
they are closed with the engine (``Engine.dispose``), and a statement waiting for one then, or
arriving after, is served by the engine's new connections (as SQLAlchemy's pool serves
an engine used after its dispose). They count in the pool's size
and overflow, as any connection checked out does. Event loop only.
"""

import asyncio
import os
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from weakref import WeakKeyDictionary, ref

import psycopg
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

Connection = psycopg.AsyncConnection[Any]
_Held = tuple[PoolProxiedConnection, Connection, float]  # the pool's checkout, its driver connection, when
_OF_ENGINES: "WeakKeyDictionary[Engine, StatementConnections]" = WeakKeyDictionary()


class StatementConnections:
    """See the module docstring."""

    def __init__(self, engine: Engine, size: int) -> None:
        self._engine = ref(engine)  # not kept alive by its connections (``_OF_ENGINES`` is keyed by it)
        self._size = size
        self._idle: list[_Held] = []
        self._open = 0
        self._waiters: deque[asyncio.Future[_Held | None]] = deque()  # not done, oldest first
        self._closed = False
        self._lost_at = 0.0  # when a connection of this set was last found lost (``time.time()``)
        self.opened = 0  # connections taken from the pool (for tests)
        self._pid = os.getpid()  # a dispose in another process (a forked child) closes nothing

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """A connection in autocommit, idle; returned to the idle set (or closed) on the way out."""
        owner, held = self, await self._take()
        while held is None:  # the engine was disposed meanwhile: its current connections serve the read
            engine = self._engine()
            if engine is None:
                raise RuntimeError("the engine of these connections is gone")
            owner = _of(engine)
            held = await owner._take()
        try:
            yield held[1]
        finally:
            await owner._give(held)

    async def _take(self) -> _Held | None:
        """A connection of this set; None once the engine was disposed (before or while waiting).
        While statements wait, a newcomer queues behind them: turns go in arrival order."""
        if self._closed:
            return None
        if not self._waiters:
            if self._idle:
                return await self._idle_one()
            if self._open < self._size:
                self._open += 1
                return await self._opening()
        waiter: asyncio.Future[_Held | None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            turn = await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._pass_on(waiter.result())  # the turn it was given goes to the next
            else:
                self._waiters.remove(waiter)
            raise
        if turn is not None:
            return turn  # a connection handed over by the statement before
        if self._closed:
            return None
        return await self._opening()  # a place freed by a connection not reused: open one in it

    async def _idle_one(self) -> _Held:
        """The last idle connection, or a new one in its place when it is older than a loss."""
        held = self._idle.pop()
        if held[2] > self._stale_before():
            return held
        await greenlet_spawn(held[0].invalidate)
        return await self._opening()

    async def _opening(self) -> _Held:
        """A new connection in a place already counted in ``_open``; the place is passed on on failure."""
        try:
            return await self._opened()
        except BaseException:
            self._pass_on(None)
            raise

    async def _opened(self) -> _Held:
        engine = self._engine()
        if engine is None:
            raise RuntimeError("the engine of these connections is gone")
        checkout = await greenlet_spawn(engine.raw_connection)
        driver: Connection = checkout.driver_connection  # type: ignore[assignment]
        try:
            await driver.set_autocommit(True)
        except BaseException:
            await greenlet_spawn(checkout.invalidate)
            raise
        self.opened += 1
        return checkout, driver, time.time()

    async def _give(self, held: _Held) -> None:
        checkout, driver, _ = held
        if driver.broken and not self._closed:
            self._pass_on(None)
            await self._lost(checkout)
            return
        if (
            self._closed
            or driver.closed
            or driver.pgconn.transaction_status != TransactionStatus.IDLE
            or held[2] <= self._stale_before()
        ):
            self._pass_on(None)  # lost, left midway (a cancelled statement), or older than a loss
            await greenlet_spawn(checkout.invalidate)
            return
        self._pass_on(held)

    async def _lost(self, checkout: PoolProxiedConnection) -> None:
        """A connection found lost (a server restarted, failed over, or ending its sessions): every
        connection opened before, kept here or in the pool, is replaced before its next use, as
        SQLAlchemy's pool replaces its own when one of them is found lost."""
        self._lost_at = time.time()
        stale, self._idle = self._idle, []
        self._open -= len(stale)
        engine = self._engine()
        if engine is not None:  # marks the pool's connections, and closes this one
            await greenlet_spawn(engine.pool._invalidate, checkout)
        for held in stale:
            await greenlet_spawn(held[0].invalidate)

    def _stale_before(self) -> float:
        """Connections opened before this are replaced: the last loss, here or in the engine's pool."""
        engine = self._engine()
        return max(self._lost_at, engine.pool._invalidate_time if engine is not None else 0.0)

    def _pass_on(self, turn: _Held | None) -> None:
        """``turn`` (a connection, or None: a place to open one in) to the first waiter; if none waits,
        the connection goes idle, or the place is freed."""
        if self._waiters and not self._closed:
            self._waiters.popleft().set_result(turn)
        elif turn is not None:
            self._idle.append(turn)
        else:
            self._open -= 1

    def close(self) -> None:
        """Closes the idle connections (those in use are closed when they come back). Called by the
        engine's dispose: ``AsyncEngine.dispose`` only, inside SQLAlchemy's greenlet (a sync
        ``Engine.dispose`` cannot close an async connection). In a process other than the one that
        opened them (a child after fork, whose ``dispose(close=False)`` fires the same event) their
        sockets are the parent's: the references are dropped, nothing is closed."""
        self._closed = True
        idle, self._idle = self._idle, []
        self._open -= len(idle)
        if os.getpid() == self._pid:
            for checkout, _, _ in idle:
                checkout.invalidate()
        while self._waiters:  # every waiter goes on to the engine's current connections
            self._waiters.popleft().set_result(None)


def statement_connections(engine: AsyncEngine) -> StatementConnections:
    """The engine's statement connections (as many as its pool's size), made on first use and closed
    when the engine is disposed."""
    return _of(engine.sync_engine)


def _of(sync: Engine) -> StatementConnections:
    found = _OF_ENGINES.get(sync)
    if found is None:
        size = getattr(sync.pool, "size", lambda: 5)()
        found = _OF_ENGINES[sync] = StatementConnections(sync, size)
        if not event.contains(sync, "engine_disposed", _disposed):
            event.listen(sync, "engine_disposed", _disposed)
    return found


def _disposed(engine: Engine) -> None:
    """The engine's dispose: its statement connections are closed (made anew if it is used again)."""
    found = _OF_ENGINES.pop(engine, None)
    if found is not None:
        found.close()
