"""One LISTEN connection per process turning projector NOTIFYs into wake-ups."""

import asyncio
import contextlib
import logging

import psycopg

from infra.db import libpq_dsn
from query_api.consistency.signal import ProgressSignal

log = logging.getLogger(__name__)

PROGRESS_CHANNEL = "boxoffice_projection_progress"
_MAX_BACKOFF_S = 5.0


class ProgressListener:
    """LISTENs on ``boxoffice_projection_progress`` and notifies :class:`ProgressSignal`.

    The payload names the projection that committed a batch. The connection is
    re-opened with backoff when it drops; every (re)connect wakes all waiters,
    since progress may have been made while nobody listened. Waiters also
    re-check on a timer, so a gap here delays answers but never loses them.
    """

    def __init__(self, url: str, signal: ProgressSignal) -> None:
        self._dsn = libpq_dsn(url)
        self._signal = signal
        self._task: asyncio.Task[None] | None = None
        self.connected = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="progress-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        backoff = 0.2
        while True:
            try:
                await self._listen()
            except (psycopg.Error, OSError) as error:
                if self.connected:
                    backoff = 0.2  # it had been working: retry soon
                log.warning("progress listener disconnected (%s); reconnecting in %.1fs", error, backoff)
            self.connected = False
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, _MAX_BACKOFF_S)

    async def _listen(self) -> None:
        async with await psycopg.AsyncConnection.connect(self._dsn, autocommit=True) as conn:
            await conn.execute(f"LISTEN {PROGRESS_CHANNEL}")
            self.connected = True
            self._signal.notify(None)
            async for note in conn.notifies():
                self._signal.notify(note.payload or None)
