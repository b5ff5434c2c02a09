"""Fixtures of the command-side integration tests.

The command side runs against a private database (created here, dropped at the
end) and relays to a private topic, so that relays other engineers run against
the shared database never take part in these tests, and the relay tests can
own leadership.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from command_side.adapters.engine import create_engine
from command_side.bootstrap import create_app
from command_side.settings import CommandSettings
from command_side.worker.process import CommandWorker
from infra.settings import ApiKeySettings
from tests.integration.command_side.cmd_support import ClientFactory
from tests.support.database import private_database
from tests.support.kafka import private_topic

API_KEYS = "operator:test-operator-key,checkout:test-checkout-key,viewer:test-viewer-key"


@pytest.fixture(scope="session")
def command_db(database_url: str) -> Iterator[str]:
    """A private, migrated database on the shared server (dropped afterwards)."""
    with private_database(database_url, "boxoffice_cmd") as url:
        yield url


@pytest.fixture(scope="session")
async def events_topic(kafka_bootstrap: str) -> AsyncIterator[str]:
    """A private events topic shaped like the real one (12 partitions)."""
    async with private_topic(kafka_bootstrap, "test.cmd", 12) as name:
        yield name


@pytest.fixture(scope="session")
def command_settings(command_db: str, kafka_bootstrap: str, events_topic: str) -> CommandSettings:
    return CommandSettings(
        database_url=command_db,
        kafka_bootstrap_servers=kafka_bootstrap,
        events_topic=events_topic,
        hold_ttl_min_seconds=1,
        expiry_interval_seconds=0.2,
    )


@pytest.fixture
async def engine(command_settings: CommandSettings) -> AsyncIterator[AsyncEngine]:
    """A command-side engine on the private database, for tests that run commands or appends directly.

    Its callers wait up to a minute for a pooled connection, so that concurrent appends do not
    fail on a busy machine.
    """
    created = create_engine(command_settings.model_copy(update={"db_pool_timeout_seconds": 60}))
    yield created
    await created.dispose()


@pytest.fixture
async def worker(command_settings: CommandSettings) -> AsyncIterator[CommandWorker]:
    """A command worker (relay and expirer) running in this event loop until the test ends."""
    running = CommandWorker(command_settings)
    stop = asyncio.Event()
    task = asyncio.create_task(running.run(stop))
    yield running
    stop.set()
    await task


@pytest.fixture
async def make_client(command_settings: CommandSettings) -> AsyncIterator[ClientFactory]:
    """Build in-process clients of command APIs, optionally with changed settings."""
    apps = []

    def build(**overrides: object) -> httpx.AsyncClient:
        settings = command_settings.model_copy(update=overrides)
        app = create_app(settings, ApiKeySettings(api_keys=SecretStr(API_KEYS)))
        apps.append(app)
        return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://command", timeout=60)

    yield build
    for app in apps:  # what the lifespan (not run by ASGITransport) would close
        if app.state.outbox_notifier is not None:
            await app.state.outbox_notifier.aclose()
        await app.state.command.engine.dispose()


@pytest.fixture
async def client(make_client: ClientFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client() as c:
        yield c
