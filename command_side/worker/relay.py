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

    Each pass is one statement on the relay's own autocommit session
    (``outbox_rows.RelaySession``): it marks the rows the previous pass published
    and reads the oldest unpublished rows; the pass then publishes those and waits
    for every ack. A row is marked published only after Kafka acked it (a crash
    before its mark publishes it again: at least once), and rows of a rolled-back
    transaction never become visible. After a full batch, or when a wake-up came
    during the pass, the next pass starts at once, so a burst is drained
    completely before the relay waits; at a steady trickle of commits every batch
    costs one statement, its mark riding with the next read.

    Waiting costs nothing: the relay sleeps until ``wake()`` is called (by the
    LISTEN on ``relay_notify_channel`` that the command API NOTIFYs after its
    commits, or in-process by the expirer's commits) or until
    ``relay_fallback_poll_seconds`` passed; while its last batch is unmarked, at
    most ``relay_mark_linger_seconds`` (a pass then marks it and finds the outbox
    empty). The fallback poll is what guarantees publication: a lost notification
    delays an event by about that long at most, never loses it. A wake-up during
    a pass makes the next pass start at once (the flag is cleared before reading,
    not after), and every commit the read missed is notified after that. Neither
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
        self._acked: list[int] = []  # positions published by the last pass, marked by the next one
        self.listener: OutboxListener | None = None
        self.published = 0
        self.passes = 0

    def wake(self) -> None:
        """Make the relay read the outbox now (or right after its current pass); cheap, never raises."""
        self._wake.set()

    async def relay_once(self) -> int:
        """Mark the last pass's rows and read a batch (one statement), publish it; the number of
        events published (0 when there was nothing). Its rows are marked by the next pass."""
        self.passes += 1
        limit = self._settings.relay_batch_size
        acked, self._acked = self._acked, []
        try:
            batch = await self._read(acked, limit)
        except BaseException:
            self._acked = acked  # nothing was marked (one statement): the next pass marks them
            raise
        if not batch:
            if self._metrics is not None:
                self._metrics.relayed(batch, drained=True)
            return 0
        await self._publisher.publish(batch)
        if self._metrics is not None:
            self._metrics.relayed(batch, drained=len(batch) < limit)
        if self._settings.relay_mark_delay_seconds:
            await asyncio.sleep(self._settings.relay_mark_delay_seconds)
        self._acked = [e.position for e in batch]
        self.published += len(batch)
        return len(batch)

    async def _read(self, acked: list[int], limit: int) -> list[StoredEvent]:
        if acked:
            return await self._session.mark_published_and_read(acked, limit)
        return await self._session.unpublished(limit)

    async def mark_acked(self) -> None:
        """Mark what the last pass published now (a relay stopping), without reading on."""
        acked, self._acked = self._acked, []
        if acked:
            await self._session.mark_published(acked)

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
            with contextlib.suppress(Exception):  # else the next leader publishes them again
                await self.mark_acked()
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
            if count == self._settings.relay_batch_size:
                continue  # drain: a full batch, more is waiting
            wait = self._settings.relay_fallback_poll_seconds
            if self._acked:  # marked by the next pass: soon, even if no commit comes
                wait = min(wait, self._settings.relay_mark_linger_seconds)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wake.wait()
