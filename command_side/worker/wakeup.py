"""Waking the relay leader when commands commit: a NOTIFY after COMMIT, a LISTEN in the leader.

The command API sends ``NOTIFY <relay_notify_channel>`` on a connection of its
own, *after* the command's transaction committed: a transaction that NOTIFYs
takes a cluster-wide lock at commit, so a NOTIFY inside command transactions
would serialize every commit. Here at most one NOTIFY per process is in flight;
commits meanwhile mark it dirty and cause exactly one more when it is done, so
a burst of commands costs a handful of NOTIFYs, off the requests' critical path.

Notifications are a latency hint, never a correctness mechanism: a lost one
(notifier or listener connection down, a process that cannot notify, a commit
racing the listener's reconnect) only delays publication until the relay's
fallback poll (``relay_fallback_poll_seconds``). Sending one never fails a
command.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable

import psycopg
from psycopg import sql

from infra.db import libpq_dsn
from infra.reconnect import MAX_BACKOFF_S, keep_reconnecting

log = logging.getLogger(__name__)

NOTIFY_TIMEOUT_SECONDS = 2.0  # a hung notify connection is dropped after this
NOTIFIER_APPLICATION_NAME = "boxoffice-outbox-notify"
LISTENER_APPLICATION_NAME = "boxoffice-relay-listen"


async def _connect(dsn: str, connect_timeout: int, name: str) -> psycopg.AsyncConnection[tuple[object, ...]]:
    """An autocommit session whose loss (even without a FIN) is noticed within seconds."""
    return await psycopg.AsyncConnection.connect(
        dsn,
        autocommit=True,
        connect_timeout=connect_timeout,
        application_name=name,
        keepalives=1,
        keepalives_idle=5,
        keepalives_interval=2,
        keepalives_count=2,
    )


class OutboxNotifier:
    """Coalesced, best-effort ``NOTIFY`` to the relay leader, on one dedicated autocommit connection.

    ``notify()`` is synchronous and returns at once: it starts a background
    send if none is in flight, else marks the sender dirty so that it sends one
    more NOTIFY once the current one is done (every commit before that second
    NOTIFY is then covered by it). A failed send is logged, the connection is
    dropped, and the sender backs off, then tries once more on a new connection
    (a second failure in a row drops the notification: the relay's fallback
    poll covers it; later commits try again).
    """

    def __init__(self, database_url: str, channel: str, connect_timeout: int = 3) -> None:
        self._dsn = libpq_dsn(database_url)
        self._statement = sql.SQL("NOTIFY {}").format(sql.Identifier(channel))
        self._connect_timeout = connect_timeout
        self._conn: psycopg.AsyncConnection[tuple[object, ...]] | None = None
        self._task: asyncio.Task[None] | None = None
        self._dirty = False
        self._failures = 0
        self.sent = 0
        self.failed = 0

    def notify(self) -> None:
        """Ask for a NOTIFY soon (called on the event loop right after a commit); never raises."""
        if self._task is not None:
            self._dirty = True
            return
        try:
            self._task = asyncio.get_running_loop().create_task(self._sender(), name="outbox-notify")
        except RuntimeError:  # no running loop: nothing to send from; the fallback poll covers it
            log.debug("no event loop to notify the relay from")

    async def _sender(self) -> None:
        try:
            while True:
                self._dirty = False
                try:
                    async with asyncio.timeout(NOTIFY_TIMEOUT_SECONDS):
                        await self._send()
                    self.sent += 1
                    self._failures = 0
                except Exception as error:
                    self.failed += 1
                    self._failures += 1
                    await self._drop_connection()
                    delay = min(MAX_BACKOFF_S, 0.1 * 2**self._failures)
                    log.log(
                        logging.WARNING if self._failures == 1 else logging.DEBUG,
                        "cannot notify the relay (%s); it falls back to polling; retrying in %.1fs",
                        error,
                        delay,
                    )
                    await asyncio.sleep(delay)  # notifies meanwhile coalesce into one retry
                    # retry the lost one once (a dropped connection); in an outage only new commits retry
                    self._dirty = self._dirty or self._failures == 1
                if not self._dirty:
                    return
        finally:
            self._task = None

    async def _send(self) -> None:
        """One NOTIFY on the dedicated connection (connecting first if needed)."""
        if self._conn is None or self._conn.closed:
            self._conn = await _connect(self._dsn, self._connect_timeout, NOTIFIER_APPLICATION_NAME)
        await self._conn.execute(self._statement)

    async def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.closed:
            with contextlib.suppress(Exception):
                await conn.close()

    async def aclose(self) -> None:
        """Stop sending and close the connection (pending notifications are dropped)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._drop_connection()


class OutboxListener:
    """``LISTEN <channel>`` on a dedicated connection; calls ``wake()`` on each notification.

    ``wake()`` is also called after every (re)connect, since notifications sent
    while nobody listened are lost. The connection is re-opened with backoff
    when it drops; meanwhile the relay's fallback poll keeps publishing.
    """

    def __init__(
        self, database_url: str, channel: str, wake: Callable[[], None], connect_timeout: int = 3
    ) -> None:
        self._dsn = libpq_dsn(database_url)
        self._statement = sql.SQL("LISTEN {}").format(sql.Identifier(channel))
        self._wake = wake
        self._connect_timeout = connect_timeout
        self.listening = False
        self.received = 0

    async def run(self) -> None:
        """Listen until cancelled, reconnecting after failures (the relay polls meanwhile)."""
        await keep_reconnecting(self._listen, self._lost, what="relay listener", log=log)

    def _lost(self) -> bool:
        was, self.listening = self.listening, False
        return was

    async def _listen(self) -> None:
        async with await _connect(self._dsn, self._connect_timeout, LISTENER_APPLICATION_NAME) as conn:
            await conn.execute(self._statement)
            self.listening = True
            self._wake()  # commits while nobody listened sent notifications nobody got
            async for _ in conn.notifies():
                self.received += 1
                self._wake()
