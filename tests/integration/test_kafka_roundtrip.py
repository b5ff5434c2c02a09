"""Events through the real broker: an idempotent producer and a consumer group.

Each test uses its own topic and group (uuid4), so it neither sees nor
disturbs anyone else's messages on the shared broker.
"""

from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from contracts import (
    DEAD_LETTER_TOPIC,
    EVENTS_TOPIC,
    EVENTS_TOPIC_PARTITIONS,
    SeatsHeld,
    decode_event,
    encode_event,
    new_envelope,
    partition_key,
)
from tests.support.kafka import private_topic
from tests.unit.test_contracts_samples import NOW

pytestmark = pytest.mark.integration


@pytest.fixture
async def topic(kafka_bootstrap: str) -> AsyncIterator[str]:
    """A private 3-partition topic, deleted afterwards."""
    async with private_topic(kafka_bootstrap, "test.roundtrip", 3) as name:
        yield name


def held_event(show_id: UUID, seq: int) -> bytes:
    payload = SeatsHeld(hold_id=uuid4(), customer_id=f"c-{seq}", seat_ids=(f"A-1-{seq}",), expires_at=NOW)
    return encode_event(new_envelope(payload, stream_id=show_id, seq=seq, correlation_id=uuid4()))


async def produce(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for key, value in messages:
            await producer.send(topic, value=value, key=key)
        await producer.flush()
    finally:
        await producer.stop()


async def consume(bootstrap: str, topic: str, group: str, expected: int) -> list[tuple[bytes, bytes, int]]:
    """Read ``expected`` messages as a member of ``group``, committing what was read."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    received: list[tuple[bytes, bytes, int]] = []
    try:
        while len(received) < expected:
            batches = await consumer.getmany(timeout_ms=1000, max_records=100)
            for tp, records in batches.items():
                received.extend((r.key, r.value, tp.partition) for r in records if r.key and r.value)
            if not batches and not consumer.assignment():
                continue  # still joining the group
        await consumer.commit()
    finally:
        await consumer.stop()
    return received


@pytest.mark.timeout(120)
async def test_events_keep_per_show_order_through_a_consumer_group(kafka_bootstrap: str, topic: str) -> None:
    shows = [uuid4() for _ in range(4)]
    sent = [(partition_key(show), held_event(show, seq)) for seq in range(1, 11) for show in shows]

    await produce(kafka_bootstrap, topic, sent)
    received = await consume(kafka_bootstrap, topic, f"test-{uuid4().hex}", expected=len(sent))

    assert len(received) == len(sent)  # exactly once: the idempotent producer wrote no duplicate
    partitions_of_show: dict[bytes, set[int]] = {}
    for show in shows:
        key = partition_key(show)
        events = [decode_event(value) for k, value, _ in received if k == key]
        assert [e.envelope.seq for e in events] == list(range(1, 11))
        assert {e.envelope.stream_id for e in events} == {show}
        partitions_of_show[key] = {p for k, _, p in received if k == key}
    assert all(len(p) == 1 for p in partitions_of_show.values())  # one show, one partition


@pytest.mark.timeout(120)
async def test_a_group_resumes_after_its_committed_offsets(kafka_bootstrap: str, topic: str) -> None:
    group, show = f"test-{uuid4().hex}", uuid4()
    key = partition_key(show)

    await produce(kafka_bootstrap, topic, [(key, held_event(show, seq)) for seq in (1, 2, 3)])
    first = await consume(kafka_bootstrap, topic, group, expected=3)
    await produce(kafka_bootstrap, topic, [(key, held_event(show, seq)) for seq in (4, 5)])
    second = await consume(kafka_bootstrap, topic, group, expected=2)

    assert [decode_event(v).envelope.seq for _, v, _ in first] == [1, 2, 3]
    assert [decode_event(v).envelope.seq for _, v, _ in second] == [4, 5]


async def test_the_shared_topics_exist_with_their_partitions(kafka_bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([EVENTS_TOPIC, DEAD_LETTER_TOPIC])
    finally:
        await admin.close()
    partitions = {t["topic"]: len(t["partitions"]) for t in described}
    assert partitions[EVENTS_TOPIC] == EVENTS_TOPIC_PARTITIONS
    assert partitions[DEAD_LETTER_TOPIC] >= 1
