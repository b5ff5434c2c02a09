"""Fixtures of the projection integration tests: private topics and deployments per test."""

from collections.abc import AsyncIterator, Iterator
from uuid import uuid4

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from tests.support.database import private_database


@pytest.fixture
async def topic(kafka_bootstrap: str) -> AsyncIterator[str]:
    """A private event topic with 4 partitions (and its dead-letter topic, ``<name>.dlq``)."""
    name = f"test.proj.{uuid4().hex[:12]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 4, 1), NewTopic(f"{name}.dlq", 1, 1)])
        yield name
    finally:
        await admin.delete_topics([name, f"{name}.dlq"])
        await admin.close()


@pytest.fixture(scope="session")
def private_db(database_url: str) -> Iterator[str]:
    """A private, migrated database on the shared server (dropped afterwards): for tests that run
    the command side's relay, which publishes every unpublished outbox row of its database."""
    with private_database(database_url, "boxoffice_proj") as url:
        yield url
