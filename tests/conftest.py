"""Service fixtures: a migrated PostgreSQL database and a Kafka broker with the topics.

Every test that needs a service asks for ``database_url`` or ``kafka_bootstrap``;
names inside a service (shows, consumer groups, topics) are made unique per
test with uuid4 rather than cleaned up.
"""

import os
from collections.abc import Iterator

import pytest

from infra.migrations.runner import upgrade
from infra.topics import ensure_topics_sync


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A SQLAlchemy URL (postgresql+psycopg) of a database with every migration applied."""
    url = os.environ.get("BOXOFFICE_DATABASE_URL")
    if not url:
        pytest.fail("BOXOFFICE_DATABASE_URL is not set and no launcher fallback is wired yet")
    upgrade(url, reader_password="boxoffice-reader")
    yield url


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """Bootstrap servers of a broker that has the event and dead-letter topics."""
    servers = os.environ.get("BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS")
    if not servers:
        pytest.fail("BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS is not set and no launcher fallback is wired yet")
    ensure_topics_sync(servers)
    yield servers
