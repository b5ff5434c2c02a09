"""Fixtures of the webhook integration tests: a private database, private topics, the command API.

The dispatcher claims every pending delivery of its database, so these tests
run on a database of their own; each test reads a topic of its own.
"""

from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from pydantic import SecretStr

from command_side.bootstrap import create_app
from command_side.settings import CommandSettings
from contracts.codec import encode_event, new_envelope
from contracts.events import HoldReleased
from contracts.topics import partition_key
from infra.http.destinations import DestinationSettings
from infra.settings import ApiKeySettings
from tests.integration.webhooks.hooks_support import Publish
from tests.support.kafka import private_topic
from webhooks.settings import WebhookSettings

API_KEYS = "operator:test-operator-key,checkout:test-checkout-key"


@pytest.fixture
async def topic(kafka_bootstrap: str) -> AsyncIterator[str]:
    async with private_topic(kafka_bootstrap, "test.hooks", 3) as name:
        yield name


@pytest.fixture
def hook_settings(private_database_url: str, kafka_bootstrap: str, topic: str) -> WebhookSettings:
    """Fast retries and polls, so the tests take seconds; private destinations allowed (localhost)."""
    return WebhookSettings(
        database_url=private_database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        events_topic=topic,
        webhook_group_id=f"test-hooks-{uuid4().hex[:8]}",
        webhook_allow_private=True,
        webhook_retry_base_seconds=0.05,
        webhook_retry_max_seconds=0.2,
        webhook_poll_seconds=0.1,
        webhook_lease_seconds=2.0,
    )


@pytest.fixture
async def publish(kafka_bootstrap: str, topic: str) -> AsyncIterator[Publish]:
    """Publish event ``seq`` of a show the way the relay does (key = show id); returns its bytes."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()

    async def send(show_id: UUID, seq: int) -> bytes:
        payload = HoldReleased(hold_id=uuid4(), customer_id="cust-1", seat_ids=("A-1-1",), reason="released")
        raw = encode_event(new_envelope(payload, stream_id=show_id, seq=seq, correlation_id=uuid4()))
        await producer.send_and_wait(topic, raw, key=partition_key(show_id))
        return raw

    yield send
    await producer.stop()


@pytest.fixture
async def api(private_database_url: str, kafka_bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:
    """The command API in process, on the private database, allowing localhost receivers."""
    settings = CommandSettings(database_url=private_database_url, kafka_bootstrap_servers=kafka_bootstrap)
    app = create_app(
        settings.model_copy(update={"relay_notify": False}), ApiKeySettings(api_keys=SecretStr(API_KEYS))
    )
    app.state.webhook_destinations = DestinationSettings(webhook_allow_private=True)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://command") as client:
        yield client
    await app.state.command.engine.dispose()
