"""The outbox relay: exactly the committed events, in commit order per show, gapless, at least once."""

import asyncio
import os
import random
import signal
import subprocess
import sys
from uuid import UUID, uuid4

import httpx
import psycopg
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy.ext.asyncio import AsyncEngine

from command_side.republish import republish_from_store
from command_side.settings import CommandSettings
from command_side.worker.process import CommandWorker
from contracts import HoldReleased, decode_event
from infra.settings import REPO_ROOT
from tests.integration.command_side import cmd_support
from tests.support.kafka import topic_events

pytestmark = pytest.mark.integration


async def unpublished(settings: CommandSettings, show_id: str) -> int:
    row = await cmd_support.fetch_one(
        settings.database_url,
        "SELECT count(*) FROM write_model.outbox WHERE show_id = %s AND published_at IS NULL",
        show_id,
    )
    assert row is not None
    return int(row[0])


async def wait_until_published(settings: CommandSettings, show_id: str, timeout: float = 60) -> None:
    async with asyncio.timeout(timeout):
        while await unpublished(settings, show_id):
            await asyncio.sleep(0.05)


async def test_only_committed_events_reach_kafka_in_commit_order(
    make_client: cmd_support.ClientFactory,
    command_settings: CommandSettings,
    engine: AsyncEngine,
    worker: CommandWorker,
) -> None:
    client = make_client(db_pool_timeout_seconds=60)
    show_id = await cmd_support.new_show(client, rows=10, seats=20)
    rng = random.Random(11)

    async def api_hold(i: int) -> None:
        body = {"customer_id": f"c{i}", "seat_ids": [f"A-{i // 20 + 1}-{i % 20 + 1}"]}
        response = await client.post(f"/v1/shows/{show_id}/holds", json=body, headers=cmd_support.CHECKOUT)
        assert response.status_code == 201

    async def raw_append(i: int) -> None:
        # appends through the live path; every other one fails in its last write and takes no seq
        event = HoldReleased(hold_id=uuid4(), customer_id=f"raw{i}", seat_ids=("A-1-1",), reason="released")
        await asyncio.sleep(rng.random() * 0.01)
        if i % 2:
            with pytest.raises(psycopg.errors.NotNullViolation):
                await cmd_support.append_events(
                    engine, UUID(show_id), [event], writes=[cmd_support.failing_write()]
                )
        else:
            await cmd_support.append_events(engine, UUID(show_id), [event])

    work = [api_hold(i) for i in range(120)] + [raw_append(i) for i in range(60)]
    rng.shuffle(work)
    await asyncio.gather(*work)
    await client.aclose()

    stored = await cmd_support.outbox(command_settings.database_url, show_id)
    assert [row.seq for row in stored] == list(range(1, 1 + 1 + 120 + 30)), "committed seqs are not gapless"
    assert sum(r.event_type == "HoldReleased" for r in stored) == 30, "a rolled-back event was stored"
    await wait_until_published(command_settings, show_id)
    published = await topic_events(
        command_settings.kafka_bootstrap_servers, command_settings.events_topic, show_id, at_least=len(stored)
    )
    assert published == [row.body for row in stored], "the topic differs from the committed events"


def start_worker(settings: CommandSettings, mark_delay: float) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "BOXOFFICE_DATABASE_URL": settings.database_url,
        "BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "BOXOFFICE_EVENTS_TOPIC": settings.events_topic,
        "BOXOFFICE_RELAY_MARK_DELAY_SECONDS": str(mark_delay),
        "BOXOFFICE_RELAY_LEADER_RETRY_SECONDS": "0.2",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "command_side", "command-worker"],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def test_relay_killed_between_publishing_and_marking_loses_nothing(
    client: httpx.AsyncClient, command_settings: CommandSettings
) -> None:
    show_id = await cmd_support.new_show(client)
    for i in range(1, 11):
        body = {"customer_id": f"c{i}", "seat_ids": [f"A-1-{i}"]}
        assert (
            await client.post(f"/v1/shows/{show_id}/holds", json=body, headers=cmd_support.CHECKOUT)
        ).status_code == 201
    stored = await cmd_support.outbox(command_settings.database_url, show_id)
    leader = start_worker(command_settings, mark_delay=30)
    standby = None
    try:
        # the leader publishes, then pauses before marking: kill it inside that window
        await topic_events(
            command_settings.kafka_bootstrap_servers,
            command_settings.events_topic,
            show_id,
            at_least=len(stored),
        )
        standby = start_worker(command_settings, mark_delay=0)
        await asyncio.sleep(1.0)  # the standby is polling for the lock now
        assert await unpublished(command_settings, show_id) == len(stored)
        leader.send_signal(signal.SIGKILL)
        leader.wait(timeout=10)
        await wait_until_published(command_settings, show_id, timeout=30)
    finally:
        for process in (leader, standby):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=20)

    published = await topic_events(
        command_settings.kafka_bootstrap_servers,
        command_settings.events_topic,
        show_id,
        at_least=2 * len(stored),
    )
    decoded = [decode_event(body) for body in published]
    by_seq = {row.seq: row for row in stored}
    assert {e.envelope.seq for e in decoded} == set(by_seq), "an event was lost"
    for message, event in zip(published, decoded, strict=True):
        assert event.envelope.event_id == by_seq[event.envelope.seq].event_id
        assert message == by_seq[event.envelope.seq].body, "a duplicate is not byte-identical"
    assert len(published) == 2 * len(stored), "the crash window was not hit"
    first_seen = list(dict.fromkeys(e.envelope.seq for e in decoded))
    assert first_seen == sorted(first_seen)


async def test_republish_from_store_recreates_a_lost_topic(
    client: httpx.AsyncClient, command_settings: CommandSettings
) -> None:
    show_id = await cmd_support.new_show(client)
    body = {"customer_id": "c1", "zone_id": "A", "quantity": 3}
    assert (
        await client.post(f"/v1/shows/{show_id}/holds", json=body, headers=cmd_support.CHECKOUT)
    ).status_code == 201
    lost_topic = f"test.cmd.lost.{uuid4().hex[:10]}"  # a topic that no longer exists
    settings = command_settings.model_copy(update={"events_topic": lost_topic})
    progress: list[tuple[int, int]] = []
    count = await republish_from_store(settings, lambda done, total: progress.append((done, total)))
    assert progress[-1] == (count, count)
    stored = await cmd_support.outbox(command_settings.database_url, show_id)
    published = await topic_events(
        settings.kafka_bootstrap_servers, lost_topic, show_id, at_least=len(stored)
    )
    assert published == [row.body for row in stored]
    assert await unpublished(command_settings, show_id) == 0
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        await admin.delete_topics([lost_topic])
    finally:
        await admin.close()


async def test_a_kafka_outage_leaves_a_backlog_that_drains_afterwards(
    client: httpx.AsyncClient, command_settings: CommandSettings
) -> None:
    show_id = await cmd_support.new_show(client)
    stop = asyncio.Event()
    cut_off = CommandWorker(command_settings.model_copy(update={"kafka_bootstrap_servers": "127.0.0.1:1"}))
    task = asyncio.create_task(cut_off.run(stop))
    try:
        for i in range(1, 6):
            body = {"customer_id": f"c{i}", "seat_ids": [f"A-2-{i}"]}
            response = await client.post(
                f"/v1/shows/{show_id}/holds", json=body, headers=cmd_support.CHECKOUT
            )
            assert response.status_code == 201, "commands must not depend on Kafka"
        await asyncio.sleep(2)
        assert cut_off.is_leader
        assert await unpublished(command_settings, show_id) == 6
    finally:
        stop.set()
        await task
    stop = asyncio.Event()
    task = asyncio.create_task(CommandWorker(command_settings).run(stop))
    try:
        await wait_until_published(command_settings, show_id)
    finally:
        stop.set()
        await task
    stored = await cmd_support.outbox(command_settings.database_url, show_id)
    published = await topic_events(
        command_settings.kafka_bootstrap_servers, command_settings.events_topic, show_id, at_least=len(stored)
    )
    assert published == [row.body for row in stored]
