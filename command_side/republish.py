"""Re-creating the event topic from the outbox after topic loss.

Publishes every stored event, per show in seq order, with its stored event id
and bytes, so the result is what the relay had published (duplicates of rows
already there are byte-identical and dropped by consumers by seq). It holds
the relay's leader lock meanwhile, so no relay publishes concurrently, and
marks unpublished rows published as it goes.
"""

import contextlib
from collections.abc import Callable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from command_side.adapters.engine import create_engine
from command_side.settings import CommandSettings
from command_side.worker import outbox_rows
from command_side.worker.leader import LeaderLock
from command_side.worker.publisher import KafkaEventPublisher
from contracts import EVENTS_TOPIC, EVENTS_TOPIC_PARTITIONS
from infra.topic_setup import LOG_CONFIG, ensure_topics

Progress = Callable[[int, int], None]
PAGE = 5_000


class RelayBusyError(Exception):
    """A running relay holds the leader lock; stop ``boxoffice command-worker`` first."""


async def republish_from_store(
    settings: CommandSettings, progress: Progress | None = None, lock_timeout: float = 30.0
) -> int:
    """Publish the whole store to the events topic; returns the number of events published.

    Raises RelayBusyError when the relay's leader lock is not free within ``lock_timeout`` seconds.
    """
    topic = settings.events_topic
    await ensure_topics(settings.kafka_bootstrap_servers)
    if topic != EVENTS_TOPIC:
        await _ensure_topic(settings.kafka_bootstrap_servers, topic)
    engine = create_engine(settings.model_copy(update={"db_pool_size": 2, "db_max_overflow": 0}))
    lock = LeaderLock(settings.database_url, settings.relay_lock_key)
    publisher = KafkaEventPublisher(settings.kafka_bootstrap_servers, topic)
    try:
        if not await lock.acquire(lock_timeout):
            raise RelayBusyError("a command-worker holds the relay lock; stop it, then republish")
        total = await outbox_rows.count_events(engine)
        done = 0
        if progress:
            progress(done, total)
        page = await outbox_rows.events_after(engine, None, 0, PAGE)
        while page:
            await publisher.publish(page)
            await outbox_rows.mark_published(engine, [e.position for e in page])
            done += len(page)
            if progress:
                progress(done, max(total, done))
            last = page[-1]
            page = await outbox_rows.events_after(engine, last.show_id, last.seq, PAGE)
        return done
    finally:
        await publisher.close()
        await lock.release()
        await engine.dispose()


async def _ensure_topic(bootstrap_servers: str, topic: str) -> None:
    """A non-default events topic (tests use private ones), created like the real one."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        if topic not in set(await admin.list_topics()):
            # created concurrently by someone else: the same outcome
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(
                    [NewTopic(topic, EVENTS_TOPIC_PARTITIONS, 1, topic_configs=LOG_CONFIG)]
                )
    finally:
        await admin.close()
