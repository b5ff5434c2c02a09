"""Periodic expiry of lapsed holds and overdue orders."""

import asyncio
import logging
from datetime import UTC, datetime
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncEngine

from command_side.handlers.expiry import expire_hold, expire_order, overdue
from command_side.handlers.runner import CommandContext, run_command
from command_side.settings import CommandSettings
from command_side.worker.metrics import WorkerMetrics

log = logging.getLogger(__name__)


class Expirer:
    """Expires each lapsed hold and overdue order in its own command transaction (idempotent re-checks)."""

    def __init__(
        self, settings: CommandSettings, engine: AsyncEngine, metrics: WorkerMetrics | None = None
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._metrics = metrics
        self.expired = 0

    async def expire_once(self) -> int:
        """Expire what is due now; the number of holds and orders expired."""
        context = CommandContext(datetime.now(UTC), uuid4(), uuid4())
        async with self._engine.connect() as conn:
            holds, orders = await overdue(conn, context, self._settings.expiry_batch_size)
        handlers = [("hold", expire_hold(h)) for h in holds] + [("order", expire_order(o)) for o in orders]
        done = 0
        for kind, handler in handlers:
            result = await run_command(self._engine, handler)
            expired = result.consistency_token not in (None, "ct1.-.0")
            done += expired
            if expired and self._metrics is not None:
                self._metrics.expired(kind)
        self.expired += done
        return done

    async def run(self) -> None:
        """Expire until cancelled: a pass, then ``expiry_interval_seconds`` of sleep (none after a full
        batch, more are due); an idle worker does one cheap pass per interval and nothing else.

        Expiries commit through ``run_command``, so their events wake the relay at once.
        """
        while True:
            try:
                if await self.expire_once() >= self._settings.expiry_batch_size:
                    continue  # more are due: do not wait
            except Exception:
                log.warning("expiry pass failed; retrying", exc_info=True)
            await asyncio.sleep(self._settings.expiry_interval_seconds)
