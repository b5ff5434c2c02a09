"""A query API app over private read views seeded through the projections, driven in-process over ASGI."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from infra.settings import ApiKeySettings, ServiceSettings
from query_api.app import create_app
from query_api.settings import QueryApiSettings
from tests.integration.query_api.seed import SeededSchema, create_seeded_schema, drop_seeded_schema

pytestmark = pytest.mark.integration

API_KEYS = "operator:test-operator-key,checkout:test-checkout-key,viewer:test-viewer-key"
ClientFactory = Callable[..., AbstractAsyncContextManager[tuple[httpx.AsyncClient, FastAPI]]]


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
        settings = QueryApiSettings(
            read_schema=seeded.read_schema, meta_schema=seeded.meta_schema, pool_size=4, **overrides
        )
        services = ServiceSettings(database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap)
        app = create_app(settings, services, ApiKeySettings(api_keys=API_KEYS))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://query") as client:
                yield client, app

    return start


@pytest.fixture
async def client(client_factory: ClientFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with client_factory() as (http, _):
        yield http
