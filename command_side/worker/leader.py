"""Leadership of the relay: a PostgreSQL advisory lock held by a dedicated session.

The lock lives as long as the session: when the leader process dies its socket
closes and PostgreSQL frees the lock at once, so a standby polling every
``retry`` seconds takes over within about that time. Keepalives bound how long
a silently vanished leader (no FIN) keeps it.
"""

import asyncio

import psycopg

from infra.db import libpq_dsn


class LeaderLock:
    """One session that holds (or tries to hold) advisory lock ``key``."""

    def __init__(self, database_url: str, key: int) -> None:
        self._dsn = libpq_dsn(database_url)
        self._key = key
        self._conn: psycopg.AsyncConnection[tuple[object, ...]] | None = None

    async def try_acquire(self) -> bool:
        """True once this session holds the lock; False while another session does."""
        if self._conn is None or self._conn.closed:
            self._conn = await psycopg.AsyncConnection.connect(
                self._dsn,
                autocommit=True,
                connect_timeout=3,
                keepalives=1,
                keepalives_idle=5,
                keepalives_interval=2,
                keepalives_count=2,
                application_name="boxoffice-relay-leader",
            )
            # the server side should also notice a vanished leader quickly
            await self._conn.execute("SET tcp_keepalives_idle = 5")
            await self._conn.execute("SET tcp_keepalives_interval = 2")
            await self._conn.execute("SET tcp_keepalives_count = 2")
        row = await (await self._conn.execute("SELECT pg_try_advisory_lock(%s)", (self._key,))).fetchone()
        return bool(row and row[0])

    async def acquire(self, wait_seconds: float, poll: float = 0.5) -> bool:
        """Try for up to ``wait_seconds``; True once held."""
        deadline = asyncio.get_running_loop().time() + wait_seconds
        while not await self.try_acquire():
            if asyncio.get_running_loop().time() >= deadline:
                return False
            await asyncio.sleep(poll)
        return True

    async def still_held(self) -> bool:
        """Whether the session (and so the lock) is still alive."""
        if self._conn is None or self._conn.closed:
            return False
        try:
            await self._conn.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    async def release(self) -> None:
        """Close the session, which frees the lock."""
        if self._conn is not None and not self._conn.closed:
            await self._conn.close()
        self._conn = None
