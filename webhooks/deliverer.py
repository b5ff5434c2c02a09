"""The delivery workers: claim due lane heads, POST them concurrently, record each outcome.

Each claimed delivery is posted in a task of its own, so an endpoint that is
slow or failing holds only its own deliveries (and, while it is retried, the
later events of the same show for that webhook: the lane waits, keeping seq
order). Claims are made while fewer than ``concurrency`` posts are in flight.
A crash between a POST and its recording means the POST is made again later:
deliveries are at least once, and receivers deduplicate by event id.
"""

import asyncio
import logging
from datetime import UTC, datetime

from webhooks.backoff import RetryPolicy
from webhooks.sender import WebhookSender
from webhooks.store import Delivery, DeliveryStore

log = logging.getLogger("boxoffice.webhooks")


class Deliverer:
    """Runs until stopped: wakes when told (new deliveries) or every ``poll_seconds``."""

    def __init__(
        self,
        store: DeliveryStore,
        sender: WebhookSender,
        policy: RetryPolicy,
        *,
        concurrency: int,
        poll_seconds: float,
        lease_seconds: float,
    ) -> None:
        self.store, self.sender, self.policy = store, sender, policy
        self.concurrency, self.poll_seconds, self.lease_seconds = concurrency, poll_seconds, lease_seconds
        self.wakeup = asyncio.Event()
        self.in_flight: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        """Look for due deliveries now (called after new ones were recorded)."""
        self.wakeup.set()

    async def run(self) -> None:
        while True:
            self.wakeup.clear()
            try:
                claimed = await self._claim()
            except Exception:  # the database is away: keep trying, deliveries wait in the table
                log.exception("claiming deliveries failed")
                claimed = 0
            if claimed and len(self.in_flight) < self.concurrency:
                continue  # there may be more due right now
            try:
                async with asyncio.timeout(self.poll_seconds):
                    await self.wakeup.wait()
            except TimeoutError:
                pass

    async def _claim(self) -> int:
        free = self.concurrency - len(self.in_flight)
        if free <= 0:
            return 0
        deliveries = await self.store.claim(free, self.lease_seconds)
        for delivery in deliveries:
            task = asyncio.create_task(self._deliver(delivery))
            self.in_flight.add(task)
            task.add_done_callback(self._done)
        return len(deliveries)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.in_flight.discard(task)
        self.wakeup.set()  # a slot is free, and the lane behind this delivery may be due

    async def _deliver(self, delivery: Delivery) -> None:
        outcome = await self.sender.send(delivery)
        try:
            if outcome.ok:
                await self.store.delivered(delivery, outcome.status or 200)
                return
            retry_at = self.policy.next_attempt(
                attempts=delivery.attempt, recorded_at=delivery.recorded_at, now=datetime.now(UTC)
            )
            log.info(
                "delivery of %s to webhook %s failed (attempt %d): %s%s",
                delivery.event_id,
                delivery.webhook_id,
                delivery.attempt,
                outcome.error,
                "" if retry_at else "; giving up",
            )
            await self.store.failed(delivery, outcome.status, outcome.error or "failed", retry_at)
        except Exception:  # unrecorded: the lease lapses and the delivery is tried again
            log.exception("recording the outcome of delivery %s failed", delivery.delivery_id)

    async def stop(self) -> None:
        """Let the posts in flight finish (their outcomes recorded), within their timeout."""
        if self.in_flight:
            await asyncio.wait(set(self.in_flight))
