"""Private Kafka topics on the shared broker: unique names (uuid4) instead of cleanup by others;
reading one show's messages back from such a topic; raw values sent with ``acks=all`` and read back.

Deleting tolerates a topic that is already gone (a test may delete its topic
on purpose, as the topic-loss test does).
"""

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from uuid import UUID, uuid4

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import NewTopic
from aiokafka.partitioner import DefaultPartitioner

from contracts import partition_key
from infra.kafka_admin import kafka_admin


async def create_topics(bootstrap: str, topics: list[NewTopic]) -> None:
    async with kafka_admin(bootstrap) as admin:
        await admin.create_topics(topics)


async def delete_topics(bootstrap: str, names: list[str]) -> None:
    """Delete those of ``names`` that exist."""
    async with kafka_admin(bootstrap) as admin:
        existing = set(await admin.list_topics())
        gone = [name for name in names if name in existing]
        if gone:
            await admin.delete_topics(gone)


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


async def topic_events(
    bootstrap: str, topic: str, show_id: str, *, at_least: int, timeout: float = 30.0, partitions: int = 12
) -> list[bytes]:
    """The show's messages on the topic in partition order, read once ``at_least`` are there.

    Reads a little past ``at_least`` (until the partition's end) so that extra
    messages, such as duplicates, are seen too.
    """
    key = partition_key(UUID(show_id))
    all_partitions = list(range(partitions))
    partition = TopicPartition(topic, DefaultPartitioner()(key, all_partitions, all_partitions))
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        found: list[bytes] = []
        async with asyncio.timeout(timeout):
            while True:
                batches = await consumer.getmany(partition, timeout_ms=200)
                found.extend(m.value for m in batches.get(partition, []) if m.key == key)
                end = (await consumer.end_offsets([partition]))[partition]
                if len(found) >= at_least and await consumer.position(partition) >= end:
                    return found
    finally:
        await consumer.stop()


async def produce_acks_all(bootstrap: str, topic: str, values: list[bytes], *, partitions: int = 1) -> None:
    """Send ``values`` one by one, each acknowledged by every in-sync replica, round robin over
    the first ``partitions`` partitions."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for i, value in enumerate(values):
            await producer.send_and_wait(topic, value, partition=i % partitions)
    finally:
        await producer.stop()


async def read_values(bootstrap: str, topic: str, expected: int) -> list[bytes]:
    """Every value of ``topic`` from the beginning, until ``expected`` arrived or 120 empty-or-not
    fetches of up to 1 s passed: bounded, so a lost message fails a comparison instead of hanging."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    received: list[bytes] = []
    try:
        for _ in range(120):
            if len(received) >= expected:
                break
            batches = await consumer.getmany(timeout_ms=1000)
            received.extend(r.value for records in batches.values() for r in records if r.value is not None)
    finally:
        await consumer.stop()
    return received
