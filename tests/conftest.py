"""Service fixtures: a migrated PostgreSQL database and a Kafka broker with the topics.

Every test that needs a service asks for ``database_url`` or ``kafka_bootstrap``;
names inside a service (shows, consumer groups, topics) are made unique per
test with uuid4 rather than cleaned up.

Where the services come from, in order of preference:

1. ``BOXOFFICE_DATABASE_URL`` and ``BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS``, when set;
2. throwaway testcontainers, when a Docker engine answers (``docker info``);
3. the local launcher (``boxoffice infra up``), started here if it is not running.
"""

import os
import shutil
import subprocess
from collections.abc import Iterator
from typing import Literal

import pytest

from infra.launcher import LauncherError
from infra.migrations.runner import upgrade
from infra.services import resolve_services
from infra.settings import ServiceSettings
from infra.topic_setup import ensure_topics_sync
from tests.support.database import private_database

Source = Literal["environment", "docker", "launcher"]
POSTGRES_IMAGE = "postgres:15"
# testcontainers' KafkaContainer drives Confluent's image; 7.6 runs in KRaft mode.
KAFKA_IMAGE = "confluentinc/cp-kafka:7.6.0"


def _docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        result = subprocess.run(["docker", "info"], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


@pytest.fixture(scope="session")
def service_source() -> Source:
    """Which of the three sources this session's services come from."""
    database, kafka = (
        os.environ.get("BOXOFFICE_DATABASE_URL"),
        os.environ.get("BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS"),
    )
    if database and kafka:
        return "environment"
    if database or kafka:
        pytest.fail("set both BOXOFFICE_DATABASE_URL and BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS, or neither")
    return "docker" if _docker_answers() else "launcher"


def _local(service_source: Source, variable: str) -> str:
    """The address ``variable`` names, without Docker: from the environment (the environment source),
    else from the local launcher (started if need be)."""
    if service_source == "environment":
        return os.environ[variable]
    settings = ServiceSettings().model_copy(update={"database_url": None, "kafka_bootstrap_servers": None})
    try:
        services = resolve_services(start=True, settings=settings)
    except LauncherError as error:
        pytest.fail(f"could not start the local services: {error}")
    launched = {
        "BOXOFFICE_DATABASE_URL": services.database_url,
        "BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS": services.kafka_bootstrap_servers,
    }
    return launched[variable]


@pytest.fixture(scope="session")
def database_url(service_source: Source) -> Iterator[str]:
    """A SQLAlchemy URL (postgresql+psycopg) of a database with every migration applied."""
    reader_password = ServiceSettings().reader_password.get_secret_value()
    if service_source == "docker":
        # Imported here: only sessions that found a Docker engine need testcontainers.
        from testcontainers.postgres import PostgresContainer  # noqa: PLC0415

        with PostgresContainer(
            POSTGRES_IMAGE, username="boxoffice", password="boxoffice", dbname="boxoffice", driver="psycopg"
        ) as container:
            url = container.get_connection_url()
            upgrade(url, reader_password=reader_password)
            yield url
        return
    url = _local(service_source, "BOXOFFICE_DATABASE_URL")
    upgrade(url, reader_password=reader_password)
    yield url


@pytest.fixture(scope="session")
def kafka_bootstrap(service_source: Source) -> Iterator[str]:
    """Bootstrap servers of a broker that has the event and dead-letter topics."""
    if service_source == "docker":
        from testcontainers.kafka import KafkaContainer  # noqa: PLC0415

        with KafkaContainer(KAFKA_IMAGE).with_kraft() as container:
            servers = container.get_bootstrap_server()
            ensure_topics_sync(servers)
            yield servers
        return
    servers = _local(service_source, "BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS")
    ensure_topics_sync(servers)
    yield servers


@pytest.fixture
def private_database_url(database_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated database of this test's own on the same server, dropped after it (named after the
    test's module): for tests whose processes take every row of their database, such as the relay
    (every unpublished outbox row) or the webhook dispatcher (every pending delivery)."""
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    with private_database(database_url, f"boxoffice_{module[:30]}") as url:
        yield url
