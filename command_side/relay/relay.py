"""The outbox relay loop: poll unpublished rows, publish, await acks, mark published."""

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncEngine

from command_side.relay import store
from command_side.relay.publisher import KafkaEventPublisher
from command_side.settings import CommandSettings

log = logging.getLogger(__name__)
MAX_FAILURE_BACKOFF_SECONDS = 5.0


class OutboxRelay:
    """Relays committed outbox rows to Kafka in commit order per show, without gaps, at least once.

    Polling is adaptive instead of NOTIFY (which would take a global lock at
    every command commit): right after a non-empty batch it polls again at once,
    when idle it waits from ``relay_idle_poll_min_seconds`` doubling up to
    ``relay_idle_poll_max_seconds``. A row is marked published only after Kafka
    acked it; rows of a rolled-back transaction never become visible.
    """

    def __init__(
        self, settings: CommandSettings, engine: AsyncEngine, publisher: KafkaEventPublisher
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._publisher = publisher
        self.published = 0

    async def relay_once(self) -> int:
        """Publish one batch; the number of events published (0 when there was nothing)."""
        batch = await store.unpublished(self._engine, self._settings.relay_batch_size)
        if not batch:
            return 0
        await self._publisher.publish(batch)
        if self._settings.relay_mark_delay_seconds:
            await asyncio.sleep(self._settings.relay_mark_delay_seconds)
        await store.mark_published(self._engine, [e.position for e in batch])
        self.published += len(batch)
        return len(batch)

    async def run(self) -> None:
        """Relay until cancelled; Kafka or database failures back off and retry the same rows."""
        idle = self._settings.relay_idle_poll_min_seconds
        failures = 0
        while True:
            try:
                count = await self.relay_once()
                failures = 0
            except Exception:
                failures += 1
                delay = min(MAX_FAILURE_BACKOFF_SECONDS, 0.1 * 2**failures)
                log.warning("relay batch failed; retrying in %.1fs", delay, exc_info=failures == 1)
                await asyncio.sleep(delay)
                continue
            if count:
                idle = self._settings.relay_idle_poll_min_seconds
                continue
            await asyncio.sleep(idle)
            idle = min(idle * 2, self._settings.relay_idle_poll_max_seconds)
