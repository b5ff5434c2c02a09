"""Following the events topic live, as an observer that leaves no trace.

The consumer has no group (``group_id=None``): it takes every partition of the
topic itself and seeks (to the end, or the beginning), so it joins no consumer
group, triggers no rebalance and commits no offsets; any number of operators
may follow at once.
"""

import asyncio
from collections.abc import Callable
from uuid import UUID

from aiokafka import AIOKafkaConsumer, TopicPartition

from contracts import partition_key


class NoSuchTopicError(LookupError):
    """The broker has no topic of this name."""


async def follow(
    bootstrap_servers: str,
    topic: str,
    stop: asyncio.Event,
    on_event: Callable[[bytes], None],
    *,
    show_id: UUID | None = None,
    from_beginning: bool = False,
    on_ready: Callable[[int], None] = lambda _: None,
) -> None:
    """Call ``on_event`` with the value of each message of ``topic`` until ``stop`` is set.

    Per partition in offset order (so per show in published order). With
    ``show_id``, only that show's messages, chosen by key before any decoding.
    ``on_ready(partitions)`` runs once the start offsets are fixed: every
    message published after it is seen. Raises NoSuchTopicError.
    """
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        group_id=None,  # no group: every partition is assigned to this consumer alone
        enable_auto_commit=False,
        client_id="boxoffice-events-tail",
        fetch_max_wait_ms=200,
    )
    await consumer.start()
    try:
        if topic not in await consumer.topics():
            raise NoSuchTopicError(topic)
        partitions = await _assigned(consumer)
        if from_beginning:
            await consumer.seek_to_beginning(*partitions)
        else:
            await consumer.seek_to_end(*partitions)
        for partition in partitions:  # fix the start offsets now, not at the first fetch
            await consumer.position(partition)
        on_ready(len(partitions))
        wanted = None if show_id is None else partition_key(show_id)
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=200, max_records=500)
            for messages in batches.values():
                for message in messages:
                    if message.value is not None and (wanted is None or message.key == wanted):
                        on_event(message.value)
    finally:
        await consumer.stop()


async def _assigned(consumer: AIOKafkaConsumer, within: float = 30.0) -> list[TopicPartition]:
    """Every partition of the topic, once the consumer's metadata has them (no group: no rebalance)."""
    async with asyncio.timeout(within):
        while not consumer.assignment():  # noqa: ASYNC110 - aiokafka signals no assignment without a group
            await asyncio.sleep(0.05)
    return sorted(consumer.assignment())
