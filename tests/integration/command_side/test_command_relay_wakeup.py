"""Waking the relay: NOTIFY after commit brings events out at once; without it the fallback poll does.

Timings here only separate "woken" from "polled" (seconds against a 30 s
fallback poll); latency figures belong to ``benchmarks.relay_idle``.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import psycopg
import pytest
from pydantic import SecretStr

from command_side.bootstrap import create_app
from command_side.settings import CommandSettings
from command_side.worker.process import CommandWorker
from command_side.worker.wakeup import LISTENER_APPLICATION_NAME, NOTIFIER_APPLICATION_NAME, OutboxNotifier
from infra.db import libpq_dsn
from infra.settings import ApiKeySettings
from tests.integration.command_side.cmd_support import CHECKOUT, ClientFactory, new_show, outbox
from tests.integration.command_side.conftest import API_KEYS
from tests.support.kafka import topic_events

pytestmark = pytest.mark.integration

LONG_POLL = 30.0  # far longer than any wait below: what is published in time was woken
WOKEN_WITHIN = 10.0


async def unpublished_total(settings: CommandSettings) -> int:
    async with await psycopg.AsyncConnection.connect(libpq_dsn(settings.database_url)) as conn:
        cursor = await conn.execute("SELECT count(*) FROM write_model.outbox WHERE published_at IS NULL")
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def wait_all_published(settings: CommandSettings, timeout: float) -> None:
    async with asyncio.timeout(timeout):
        while await unpublished_total(settings):
            await asyncio.sleep(0.05)


async def terminate_sessions(settings: CommandSettings, application_name: str) -> int:
    """Kill this (private) database's sessions of ``application_name``; how many there were."""
    async with await psycopg.AsyncConnection.connect(
        libpq_dsn(settings.database_url), autocommit=True
    ) as conn:
        cursor = await conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s AND datname = current_database()",
            (application_name,),
        )
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


@asynccontextmanager
async def quiet_leader(settings: CommandSettings, fallback_poll: float) -> AsyncIterator[CommandWorker]:
    """A leading worker that has drained the outbox and now only waits (its expirer sleeps for an hour)."""
    worker = CommandWorker(
        settings.model_copy(
            update={"relay_fallback_poll_seconds": fallback_poll, "expiry_interval_seconds": 3600}
        )
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        async with asyncio.timeout(30):
            while not (worker.is_leader and worker.relay.listener and worker.relay.listener.listening):
                await asyncio.sleep(0.02)
        await wait_all_published(settings, timeout=30)
        await asyncio.sleep(0.3)  # the expirer's first pass and any last wake-up are over
        yield worker
    finally:
        stop.set()
        await task


async def hold(client: httpx.AsyncClient, show_id: str, seat: str) -> None:
    body = {"customer_id": "c1", "seat_ids": [seat]}
    response = await client.post(f"/v1/shows/{show_id}/holds", json=body, headers=CHECKOUT)
    assert response.status_code == 201, response.text


async def assert_on_topic(settings: CommandSettings, show_id: str) -> None:
    stored = await outbox(settings.database_url, show_id)
    published = await topic_events(
        settings.kafka_bootstrap_servers, settings.events_topic, show_id, at_least=len(stored)
    )
    assert published == [row.body for row in stored]


async def test_a_command_is_published_on_its_notification_not_the_fallback_poll(
    make_client: ClientFactory, command_settings: CommandSettings
) -> None:
    client = make_client()
    async with quiet_leader(command_settings, fallback_poll=LONG_POLL) as worker:
        assert worker.relay.listener is not None
        received = worker.relay.listener.received
        show_id = await new_show(client)
        await hold(client, show_id, "A-1-1")
        await wait_all_published(command_settings, timeout=WOKEN_WITHIN)
        assert worker.relay.listener.received > received, "published without a notification"
    await client.aclose()
    await assert_on_topic(command_settings, show_id)


async def test_without_notifications_the_fallback_poll_publishes(
    make_client: ClientFactory, command_settings: CommandSettings
) -> None:
    silent = make_client(relay_notify=False)  # like a process that cannot notify
    async with quiet_leader(command_settings, fallback_poll=0.5) as worker:
        assert worker.relay.listener is not None
        received, passes = worker.relay.listener.received, worker.relay.passes
        show_id = await new_show(silent)
        await hold(silent, show_id, "A-1-1")
        await wait_all_published(command_settings, timeout=WOKEN_WITHIN)
        assert worker.relay.listener.received == received
        assert worker.relay.passes > passes
    await silent.aclose()
    await assert_on_topic(command_settings, show_id)


async def test_a_killed_notify_connection_fails_no_command_and_delays_no_event(
    command_settings: CommandSettings,
) -> None:
    app = create_app(command_settings, ApiKeySettings(api_keys=SecretStr(API_KEYS)))
    notifier = app.state.outbox_notifier
    assert isinstance(notifier, OutboxNotifier)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://command", timeout=60)
    async with quiet_leader(command_settings, fallback_poll=LONG_POLL):
        show_id = await new_show(client)  # the notifier connects
        await wait_all_published(command_settings, timeout=WOKEN_WITHIN)
        assert await terminate_sessions(command_settings, NOTIFIER_APPLICATION_NAME) >= 1
        await hold(client, show_id, "A-1-1")  # its NOTIFY fails, then is retried on a new connection
        await wait_all_published(command_settings, timeout=WOKEN_WITHIN)
    assert notifier.failed >= 1, "the NOTIFY on the killed connection did not fail"
    assert notifier.sent >= 2, "the lost notification was not retried"
    await notifier.aclose()
    await client.aclose()
    await app.state.command.engine.dispose()
    await assert_on_topic(command_settings, show_id)


async def test_a_killed_listener_reconnects_and_is_woken_again(
    make_client: ClientFactory, command_settings: CommandSettings
) -> None:
    client = make_client()
    async with quiet_leader(command_settings, fallback_poll=LONG_POLL) as worker:
        listener = worker.relay.listener
        assert listener is not None
        assert await terminate_sessions(command_settings, LISTENER_APPLICATION_NAME) == 1
        async with asyncio.timeout(WOKEN_WITHIN):
            while listener.listening:
                await asyncio.sleep(0.02)
            while not listener.listening:
                await asyncio.sleep(0.02)
        received = listener.received
        show_id = await new_show(client)
        await hold(client, show_id, "A-1-1")
        await wait_all_published(command_settings, timeout=WOKEN_WITHIN)
        assert listener.received > received
    await client.aclose()
    await assert_on_topic(command_settings, show_id)
