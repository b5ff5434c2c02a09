"""Composition root of the webhook dispatcher: the FastStream app, its intake and its workers.

``build_dispatcher(settings)`` wires everything; tests call it with their own
settings (private topic, group, fast retries). ``create_app`` wraps it in a
FastStream application, which runs until SIGINT/SIGTERM and then stops
consuming, lets the posts in flight finish, and closes its connections.
"""

import asyncio
import logging
from dataclasses import dataclass, field

from faststream import FastStream
from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.tasks import cancel_and_wait
from webhooks.backoff import RetryPolicy
from webhooks.deliverer import Deliverer
from webhooks.intake import subscribe
from webhooks.sender import WebhookSender
from webhooks.settings import WebhookSettings
from webhooks.store import DeliveryStore, create_engine


@dataclass
class Dispatcher:
    """The intake (Kafka to deliveries) and the deliverer (deliveries to HTTP) of one process."""

    broker: KafkaBroker
    engine: AsyncEngine
    store: DeliveryStore
    sender: WebhookSender
    deliverer: Deliverer
    _workers: asyncio.Task[None] | None = field(default=None, init=False)

    async def start_delivering(self) -> None:
        self._workers = asyncio.create_task(self.deliverer.run(), name="webhook-deliverer")

    async def stop_delivering(self) -> None:
        await cancel_and_wait(self._workers)
        await self.deliverer.stop()
        await self.sender.aclose()
        await self.engine.dispose()

    async def __aenter__(self) -> "Dispatcher":
        await self.broker.start()
        await self.start_delivering()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.broker.stop()
        await self.stop_delivering()


def build_dispatcher(settings: WebhookSettings, broker: KafkaBroker | None = None) -> Dispatcher:
    """Everything the dispatcher runs, not started; ``broker`` lets tests pass an in-memory one."""
    engine = create_engine(settings)
    store = DeliveryStore(engine)
    sender = WebhookSender(
        timeout_seconds=settings.webhook_timeout_seconds,
        max_response_bytes=settings.webhook_max_response_bytes,
        allow_private=settings.allow_private,
    )
    policy = RetryPolicy(
        base_seconds=settings.webhook_retry_base_seconds,
        cap_seconds=settings.webhook_retry_max_seconds,
        give_up_after_seconds=settings.webhook_retry_for_seconds,
    )
    deliverer = Deliverer(
        store,
        sender,
        policy,
        concurrency=settings.webhook_concurrency,
        poll_seconds=settings.webhook_poll_seconds,
        lease_seconds=settings.webhook_lease_seconds,
    )
    # per-message "Received/Processed" lines at DEBUG: the topic holds every event ever published
    # A list: FastStream takes a comma-separated string of a cluster's nodes for one host name.
    broker = broker or KafkaBroker(
        settings.kafka_bootstrap_servers.split(","), client_id="boxoffice-webhooks", log_level=logging.DEBUG
    )
    subscribe(
        broker,
        store,
        topic=settings.events_topic,
        group_id=settings.webhook_group_id,
        on_recorded=deliverer.wake,
    )
    return Dispatcher(broker, engine, store, sender, deliverer)


def create_app(settings: WebhookSettings) -> FastStream:
    """The dispatcher as a FastStream application (``boxoffice webhooks`` runs it)."""
    dispatcher = build_dispatcher(settings)
    return FastStream(
        dispatcher.broker,
        after_startup=[dispatcher.start_delivering],
        after_shutdown=[dispatcher.stop_delivering],
    )
