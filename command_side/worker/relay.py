"""The outbox relay loop: wait for a wake-up (or the fallback poll), publish, await acks, mark published."""

import asyncio
import contextlib
import logging

from command_side.settings import CommandSettings
from command_side.worker.metrics import WorkerMetrics
from command_side.worker.outbox_rows import RelaySession
from command_side.worker.publisher import KafkaEventPublisher
from command_side.worker.wakeup import OutboxListener

log = logging.getLogger(__name__)
MAX_FAILURE_BACKOFF_SECONDS = 5.0


class OutboxRelay:
    """Relays committed outbox rows to Kafka in commit order per show, without gaps, at least once.

    Each pass reads the oldest unpublished rows (``outbox_rows.RelaySession``, on the
    relay's own autocommit session: one round trip), publishes them, waits for
    every ack, then marks them; a row is marked published only after Kafka
    acked it, and rows of a rolled-back transaction never become visible.
    After a non-empty pass it reads again at once, so a burst is drained
    completely before the relay waits.

    Waiting costs nothing: the relay sleeps until ``wake()`` is called (by the
    LISTEN on ``relay_notify_channel`` that the command API NOTIFYs after its
    commits, or in-process by the expirer's commits) or until
    ``relay_fallback_poll_seconds`` passed. The fallback poll is what
    guarantees publication: a lost notification delays an event by about that
    long at most, never loses it. A wake-up during a pass makes the next pass
    start at once (the flag is cleared before reading, not after). Neither
    changes what is published or in which order: every pass reads the store.
    """

    def __init__(
        self, settings: CommandSettings, publisher: KafkaEventPublisher, metrics: WorkerMetrics | None = None
    ) -> None:
        self._settings = settings
        self._metrics = metrics
        self._session = RelaySession(settings.database_url, settings.db_connect_timeout_seconds)
        self._publisher = publisher
        self._wake = asyncio.Event()
        self.listener: OutboxListener | None = None
        self.published = 0
        self.passes = 0

    def wake(self) -> None:
        """Make the relay read the outbox now (or right after its current pass); cheap, never raises."""
        self._wake.set()

    async def relay_once(self) -> int:
        """Publish one batch; the number of events published (0 when there was nothing)."""
        self.passes += 1
        batch = await self._session.unpublished(self._settings.relay_batch_size)
        if not batch:
            if self._metrics is not None:
                self._metrics.relayed(batch, drained=True)
            return 0
        await self._publisher.publish(batch)
        if self._metrics is not None:
            self._metrics.relayed(batch, drained=len(batch) < self._settings.relay_batch_size)
        if self._settings.relay_mark_delay_seconds:
            await asyncio.sleep(self._settings.relay_mark_delay_seconds)
        await self._session.mark_published([e.position for e in batch])
        self.published += len(batch)
        return len(batch)

    async def run(self) -> None:
        """Relay until cancelled (LISTENing while it runs); failures back off and retry the same rows."""
        listening = None
        if self._settings.relay_listen:
            self.listener = OutboxListener(
                self._settings.database_url,
                self._settings.relay_notify_channel,
                self.wake,
                self._settings.db_connect_timeout_seconds,
            )
            listening = asyncio.create_task(self.listener.run(), name="relay-listen")
        try:
            await self._relay_until_cancelled()
        finally:
            if listening is not None:
                listening.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listening
            await self._session.close()

    async def _relay_until_cancelled(self) -> None:
        failures = 0
        while True:
            self._wake.clear()  # before reading: a commit notified from now on is seen by a next pass
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
                continue  # drain: more may have committed meanwhile
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._settings.relay_fallback_poll_seconds):
                    await self._wake.wait()
