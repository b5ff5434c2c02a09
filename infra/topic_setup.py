"""Idempotent Kafka topic set-up: the event log and its dead-letter topic."""

import asyncio
import contextlib

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from contracts.topics import DEAD_LETTER_TOPIC, EVENTS_TOPIC, EVENTS_TOPIC_PARTITIONS

# The event log is kept forever: projections are rebuilt from it.
LOG_CONFIG = {"retention.ms": "-1", "retention.bytes": "-1", "cleanup.policy": "delete"}


async def ensure_topics(bootstrap_servers: str, partitions: int = EVENTS_TOPIC_PARTITIONS) -> list[str]:
    """Create the event and dead-letter topics where missing; return the names created now."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(EVENTS_TOPIC, partitions, 1, topic_configs=LOG_CONFIG),
            NewTopic(DEAD_LETTER_TOPIC, 1, 1, topic_configs=LOG_CONFIG),
        ]
        missing = [t for t in wanted if t.name not in existing]
        if missing:
            # Another process may create it between our list and create: the same outcome.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
        return [t.name for t in missing]
    finally:
        await admin.close()


def ensure_topics_sync(bootstrap_servers: str) -> list[str]:
    return asyncio.run(ensure_topics(bootstrap_servers))
