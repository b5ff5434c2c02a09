"""The outbox relay loop: wait for a wake-up (or the fallback poll), publish, await acks, mark published."""

import asyncio
import contextlib
import logging

from command_side.settings import CommandSettings
from command_side.worker.metrics import WorkerMetrics
from command_side.worker.outbox_rows import RelaySession, StoredEvent
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
    When more is known to be waiting (the batch was full, or a wake-up came
    during the pass), the mark also reads the next batch, in the same statement,
    and the next pass starts at once with it: a burst is drained completely
    before the relay waits, at one statement per batch.

    Waiting costs nothing: the relay sleeps until ``wake()`` is called (by the
    LISTEN on ``relay_notify_channel`` that the command API NOTIFYs after its
    commits, or in-process by the expirer's commits) or until
    ``relay_fallback_poll_seconds`` passed. The fallback poll is what
    guarantees publication: a lost notification delays an event by about that
    long at most, never loses it. A wake-up during a pass makes the next pass
    start at once (the flag is cleared before each read, not after). After a
    batch that was not full, with no wake-up during its pass, the relay does not
    read again to find the outbox empty: every commit its read missed was
    notified after the flag was cleared. Neither changes what is published or in
    which order: every pass reads the store.
    """

    def __init__(
        self, settings: CommandSettings, publisher: KafkaEventPublisher, metrics: WorkerMetrics | None = None
    ) -> None:
        self._settings = settings
        self._metrics = metrics
        self._session = RelaySession(settings.database_url, settings.db_connect_timeout_seconds)
        self._publisher = publisher
        self._wake = asyncio.Event()
        self._ahead: list[StoredEvent] | None = None  # the next batch, read along with the last mark
        self.listener: OutboxListener | None = None
        self.published = 0
        self.passes = 0

    def wake(self) -> None:
        """Make the relay read the outbox now (or right after its current pass); cheap, never raises."""
        self._wake.set()

    async def relay_once(self) -> int:
        """Publish one batch (the one read along with the last mark, or read now); the number of
        events published (0 when there was nothing)."""
        self.passes += 1
        limit = self._settings.relay_batch_size
        batch, self._ahead = self._ahead, None
        if batch is None:
            batch = await self._session.unpublished(limit)
        if not batch:
            if self._metrics is not None:
                self._metrics.relayed(batch, drained=True)
            return 0
        await self._publisher.publish(batch)
        if self._metrics is not None:
            self._metrics.relayed(batch, drained=len(batch) < limit)
        if self._settings.relay_mark_delay_seconds:
            await asyncio.sleep(self._settings.relay_mark_delay_seconds)
        positions = [e.position for e in batch]
        if len(batch) == limit or self._wake.is_set():  # more is waiting: read it with the mark
            self._wake.clear()  # before reading, as below
            self._ahead = await self._session.mark_published_and_read(positions, limit)
        else:
            await self._session.mark_published(positions)
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
            if self._ahead is None:  # before reading: a commit notified from now on is seen by a next pass
                self._wake.clear()
            try:
                await self.relay_once()
                failures = 0
            except Exception:
                self._ahead = None
                failures += 1
                delay = min(MAX_FAILURE_BACKOFF_SECONDS, 0.1 * 2**failures)
                log.warning("relay batch failed; retrying in %.1fs", delay, exc_info=failures == 1)
                await asyncio.sleep(delay)
                continue
            if self._ahead is not None:
                continue  # drain: the next batch is in hand
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._settings.relay_fallback_poll_seconds):
                    await self._wake.wait()
