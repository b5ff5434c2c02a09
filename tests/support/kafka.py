"""Private Kafka topics on the shared broker: unique names (uuid4) instead of cleanup by others.

Deleting tolerates a topic that is already gone (a test may delete its topic
on purpose, as the topic-loss test does).
"""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from uuid import uuid4

from aiokafka.admin import AIOKafkaAdminClient, NewTopic


async def create_topics(bootstrap: str, topics: list[NewTopic]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics(topics)
    finally:
        await admin.close()


async def delete_topics(bootstrap: str, names: list[str]) -> None:
    """Delete those of ``names`` that exist."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        gone = [name for name in names if name in existing]
        if gone:
            await admin.delete_topics(gone)
    finally:
        await admin.close()


@asynccontextmanager
async def private_topic(
    bootstrap: str,
    prefix: str,
    partitions: int,
    *,
    dead_letter: bool = False,
    configs: Mapping[str, str] | None = None,
) -> AsyncIterator[str]:
    """A new topic ``<prefix>.<random>`` (and ``<name>.dlq`` with one partition when ``dead_letter``),
    deleted afterwards. Yields its name."""
    name = f"{prefix}.{uuid4().hex[:12]}"
    topics = [NewTopic(name, partitions, 1, topic_configs=dict(configs or {}))]
    if dead_letter:
        topics.append(NewTopic(f"{name}.dlq", 1, 1))
    await create_topics(bootstrap, topics)
    try:
        yield name
    finally:
        await delete_topics(bootstrap, [topic.name for topic in topics])
