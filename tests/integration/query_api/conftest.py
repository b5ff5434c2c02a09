"""A query API app over private read views seeded through the projections, driven in-process over ASGI."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.settings import ApiKeySettings, ServiceSettings
from query_api.app import create_app
from query_api.consistency.tracker import VersionTracker, live_label
from query_api.database import create_engine
from query_api.settings import QueryApiSettings
from tests.integration.query_api.seed import SeededSchema, create_seeded_schema, drop_seeded_schema

pytestmark = pytest.mark.integration

API_KEYS = "operator:test-operator-key,checkout:test-checkout-key,viewer:test-viewer-key"
ClientFactory = Callable[..., AbstractAsyncContextManager[tuple[httpx.AsyncClient, FastAPI]]]


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A query API engine (REPEATABLE READ, a small pool) on the test database, for reading views directly."""
    engine = create_engine(database_url, 2)
    yield engine
    await engine.dispose()


@pytest.fixture
async def seeded(database_url: str) -> AsyncIterator[SeededSchema]:
    schema = await create_seeded_schema(database_url)
    yield schema
    drop_seeded_schema(schema)


@pytest.fixture
def client_factory(database_url: str, kafka_bootstrap: str, seeded: SeededSchema) -> ClientFactory:
    """Start an app (lifespan included) with optional QueryApiSettings overrides."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[tuple[httpx.AsyncClient, FastAPI]]:
        settings = QueryApiSettings(read_schema=seeded.read_schema, pool_size=4, **overrides)
        services = ServiceSettings(database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap)
        app = create_app(settings, services, ApiKeySettings(api_keys=API_KEYS))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://query") as client:
                yield client, app

    return start


@pytest.fixture
async def served(client_factory: ClientFactory) -> AsyncIterator[tuple[httpx.AsyncClient, FastAPI]]:
    async with client_factory() as (http, app):
        yield http, app


@pytest.fixture
def client(served: tuple[httpx.AsyncClient, FastAPI]) -> httpx.AsyncClient:
    return served[0]


Settle = Callable[[], Awaitable[None]]


async def settled(app: FastAPI, seeded: SeededSchema, timeout_s: float = 20.0) -> None:
    """Wait until the app's in-memory versions reflect everything ``seeded`` has committed.

    Reads without a token are served from what the process has been told; a
    notice is delivered after its commit, so a test that writes and then reads
    without a token waits for the notice first (as a client would pass a token).
    """
    tracker: VersionTracker = app.state.query.tracker
    label = live_label(f"{v.projection}@{v.version}" for v in seeded.live.values())
    expected: dict[str, dict[UUID, int]] = {}
    for name, applied in seeded.applied.items():
        marks = expected.setdefault(name, {})
        for envelope in seeded.log[:applied]:
            marks[envelope.stream_id] = max(marks.get(envelope.stream_id, 0), envelope.seq)
    deadline = asyncio.get_running_loop().time() + timeout_s

    def done() -> bool:
        return (
            tracker.synced
            and tracker.label == label
            and all(
                tracker.seq(name, show) == seq
                for name, marks in expected.items()
                for show, seq in marks.items()
            )
        )

    while not done():
        assert asyncio.get_running_loop().time() < deadline, "the app never saw the seeded changes"
        await asyncio.sleep(0.01)


@pytest.fixture
def settle(served: tuple[httpx.AsyncClient, FastAPI], seeded: SeededSchema) -> Settle:
    return lambda: settled(served[1], seeded)


@pytest.fixture
async def settled_show(seeded: SeededSchema, settle: Settle) -> UUID:
    """A new show of the seeded schema, already seen by the served app (its events all settled)."""
    show_id = await seeded.add_show()
    await settle()
    return show_id
