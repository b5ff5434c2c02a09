"""The dispatcher SIGKILLed mid-stream and restarted: every matching event is delivered, none lost."""

import os
import signal
import subprocess
import sys
from collections import defaultdict
from uuid import uuid4

import httpx
import orjson
import pytest

from tests.integration.webhooks.hooks_support import Publish, register
from tests.integration.webhooks.receiver import Receiver, eventually, running_receiver
from webhooks.settings import WebhookSettings

pytestmark = [pytest.mark.integration, pytest.mark.slow]
SHOWS, EVENTS_PER_SHOW = 4, 40


def start_dispatcher(settings: WebhookSettings) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "BOXOFFICE_DATABASE_URL": settings.database_url,
        "BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "BOXOFFICE_EVENTS_TOPIC": settings.events_topic,
        "BOXOFFICE_WEBHOOK_GROUP_ID": settings.webhook_group_id,
        "BOXOFFICE_WEBHOOK_ALLOW_PRIVATE": "1",
        "BOXOFFICE_WEBHOOK_RETRY_BASE_SECONDS": "0.05",
        "BOXOFFICE_WEBHOOK_RETRY_MAX_SECONDS": "0.2",
        "BOXOFFICE_WEBHOOK_POLL_SECONDS": "0.1",
        "BOXOFFICE_WEBHOOK_LEASE_SECONDS": "2",
    }
    return subprocess.Popen([sys.executable, "-m", "webhooks"], env=env, stdout=subprocess.DEVNULL)


async def test_a_killed_dispatcher_loses_no_delivery_and_keeps_each_shows_order(
    api: httpx.AsyncClient, hook_settings: WebhookSettings, publish: Publish
) -> None:
    with running_receiver(Receiver()) as receiver:
        await register(api, receiver.url)
        published: set[str] = set()
        shows = [uuid4() for _ in range(SHOWS)]
        dispatcher = start_dispatcher(hook_settings)
        try:
            for seq in range(1, EVENTS_PER_SHOW + 1):
                if seq == EVENTS_PER_SHOW // 2 + 1:  # half published: kill it while it delivers
                    await eventually(lambda: len(receiver.event_ids()) >= 20, what="deliveries under way")
                    dispatcher.send_signal(signal.SIGKILL)
                    dispatcher.wait(timeout=30)
                for show_id in shows:
                    published.add(str(orjson.loads(await publish(show_id, seq))["event_id"]))
            dispatcher = start_dispatcher(hook_settings)
            await eventually(lambda: receiver.event_ids() == published, timeout=120, what="all delivered")
        finally:
            dispatcher.kill()
            dispatcher.wait(timeout=30)
    first_seen: dict[str, list[int]] = defaultdict(list)
    seen: set[str] = set()
    for request in receiver.delivered():
        event = request.event
        if event["event_id"] not in seen:
            seen.add(str(event["event_id"]))
            first_seen[str(event["stream_id"])].append(int(str(event["seq"])))
    assert all(seqs == list(range(1, EVENTS_PER_SHOW + 1)) for seqs in first_seen.values())
