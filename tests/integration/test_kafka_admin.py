"""The shared Kafka admin client against the real broker: usable inside the block, closed after it."""

from uuid import uuid4

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from infra.kafka_admin import kafka_admin

pytestmark = pytest.mark.integration


async def test_the_client_works_inside_the_block_and_is_closed_after(kafka_bootstrap: str) -> None:
    topic = f"test.kafka-admin.{uuid4().hex}"
    async with kafka_admin(kafka_bootstrap) as admin:
        await admin.create_topics([NewTopic(topic, 1, 1)])
        try:
            assert topic in await admin.list_topics()
        finally:
            await admin.delete_topics([topic])
    assert admin._closed


async def test_the_client_is_closed_when_the_block_fails(kafka_bootstrap: str) -> None:
    used: list[AIOKafkaAdminClient] = []

    async def failing_work() -> None:
        async with kafka_admin(kafka_bootstrap, request_timeout_ms=10_000) as admin:
            used.append(admin)
            await admin.describe_cluster()
            raise LookupError("the work failed")

    with pytest.raises(LookupError):
        await failing_work()
    assert used[0]._closed
