"""The whole path on real Kafka, PostgreSQL and HTTP: events in, signed POSTs out, in order, retried."""

import asyncio
import threading
from uuid import uuid4

import httpx
import pytest

from tests.integration.webhooks.hooks_support import OPERATOR, Publish, register
from tests.integration.webhooks.receiver import Receiver, eventually, running_receiver
from webhooks.app import build_dispatcher
from webhooks.settings import WebhookSettings
from webhooks.signing import verify

pytestmark = pytest.mark.integration


async def test_a_delivery_is_the_event_as_published_signed_with_the_secret(
    api: httpx.AsyncClient, hook_settings: WebhookSettings, publish: Publish
) -> None:
    with running_receiver(Receiver()) as receiver:
        webhook_id, secret = await register(api, receiver.url, ["HoldReleased"])
        _, other_secret = await register(api, receiver.url + "/other", ["OrderPaid"])
        async with build_dispatcher(hook_settings):
            raw = await publish(uuid4(), 1)
            await eventually(lambda: len(receiver.delivered()) == 1)
    got = receiver.delivered()[0]
    assert got.body == raw
    assert verify(secret, got.body, got.headers["x-boxoffice-signature"])
    assert not verify(other_secret, got.body, got.headers["x-boxoffice-signature"])
    assert got.headers["x-boxoffice-event-id"] == got.event["event_id"]
    assert got.headers["x-boxoffice-event-type"] == "HoldReleased"
    assert got.headers["x-boxoffice-delivery-attempt"] == "1"
    listing = (await api.get(f"/v1/webhooks/{webhook_id}/deliveries", headers=OPERATOR)).json()
    [delivery] = listing["deliveries"]
    assert (delivery["status"], delivery["attempts"], delivery["last_status"]) == ("delivered", 1, 200)


async def test_a_receiver_that_fails_twice_gets_three_attempts_and_the_order_is_kept(
    api: httpx.AsyncClient, hook_settings: WebhookSettings, publish: Publish
) -> None:
    show_id = uuid4()
    with running_receiver(Receiver(fail_first=2)) as receiver:
        webhook_id, _ = await register(api, receiver.url)
        async with build_dispatcher(hook_settings):
            for seq in (1, 2, 3):
                await publish(show_id, seq)
            await eventually(lambda: len(receiver.delivered()) == 3)
    attempts = [r.headers["x-boxoffice-delivery-attempt"] for r in receiver.received]
    assert attempts == ["1", "2", "3", "1", "1"]
    assert [r.event["seq"] for r in receiver.received] == [1, 1, 1, 2, 3]
    assert [r.event["seq"] for r in receiver.delivered()] == [1, 2, 3]
    listing = (
        await api.get(f"/v1/webhooks/{webhook_id}/deliveries?status=delivered", headers=OPERATOR)
    ).json()
    by_seq = {d["seq"]: d for d in listing["deliveries"]}
    assert by_seq[1]["attempts"] == 3
    assert (by_seq[2]["attempts"], by_seq[3]["attempts"]) == (1, 1)


async def test_a_slow_receiver_does_not_delay_another_endpoint(
    api: httpx.AsyncClient, hook_settings: WebhookSettings, publish: Publish
) -> None:
    gate = threading.Event()
    settings = hook_settings.model_copy(update={"webhook_timeout_seconds": 60.0})
    with running_receiver(Receiver(gate=gate)) as slow, running_receiver(Receiver()) as fast:
        await register(api, slow.url)
        await register(api, fast.url)
        async with build_dispatcher(settings):
            shows = [uuid4() for _ in range(3)]
            for seq in (1, 2):
                for show_id in shows:
                    await publish(show_id, seq)
            await eventually(lambda: len(fast.delivered()) == 6, what="the fast endpoint got everything")
            # the slow endpoint is still holding its first requests: nothing of it was answered
            assert slow.answered == []
            assert {r.event["seq"] for r in slow.received} == {1}
            gate.set()
            await eventually(lambda: len(slow.delivered()) == 6)


async def test_a_destination_refused_at_delivery_time_is_never_called(
    api: httpx.AsyncClient, hook_settings: WebhookSettings, publish: Publish
) -> None:
    settings = hook_settings.model_copy(update={"webhook_allow_private": False})
    with running_receiver(Receiver()) as receiver:
        webhook_id, _ = await register(api, receiver.url)
        async with build_dispatcher(settings):
            await publish(uuid4(), 1)
            async with asyncio.timeout(60):
                while not (await last_error(api, webhook_id) or "").startswith("url_refused"):
                    await asyncio.sleep(0.05)
    assert receiver.received == []


async def last_error(api: httpx.AsyncClient, webhook_id: str) -> str | None:
    deliveries = (await api.get(f"/v1/webhooks/{webhook_id}/deliveries", headers=OPERATOR)).json()[
        "deliveries"
    ]
    return deliveries[0]["last_error"] if deliveries else None
