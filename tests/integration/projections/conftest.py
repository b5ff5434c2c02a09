"""Fixtures of the projection integration tests: private topics and deployments per test."""

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.database import private_database
from tests.support.kafka import private_topic


@pytest.fixture
async def topic(kafka_bootstrap: str) -> AsyncIterator[str]:
    """A private event topic with 4 partitions (and its dead-letter topic, ``<name>.dlq``)."""
    async with private_topic(kafka_bootstrap, "test.proj", 4, dead_letter=True) as name:
        yield name


@pytest.fixture(scope="session")
def private_db(database_url: str) -> Iterator[str]:
    """A private, migrated database on the shared server (dropped afterwards): for tests that run
    the command side's relay, which publishes every unpublished outbox row of its database."""
    with private_database(database_url, "boxoffice_proj") as url:
        yield url
