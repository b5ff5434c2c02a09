"""Topic loss: the events topic is deleted, republished from the outbox, and the projections
replayed from it rebuild read models identical, row for row, to the ones served before.

Runs the real command API (in process), the real relay, both projections and the
replay against a private database and private topics, so that nothing else on
the shared services takes part and the whole outbox is this test's.
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import SecretStr

from command_side.bootstrap import build_worker, create_app
from command_side.republish import republish_from_store
from command_side.settings import CommandSettings
from contracts import EVENTS_TOPIC_PARTITIONS, decode_event, partition_key
from infra.settings import ApiKeySettings
from infra.topic_setup import LOG_CONFIG
from projections.ops.replay import replay
from projections.runtime.projection import Deployment
from projections.runtime.projectors import run_projectors
from projections.runtime.topic_offsets import end_offsets, partitions_of
from projections.testing.harness import deployment_for, query, read_topic, wait_consumed
from tests.support.kafka import private_topic as new_private_topic

pytestmark = pytest.mark.integration

API_KEYS = "operator:recovery-operator,checkout:recovery-checkout"
OPERATOR = {"Authorization": "Bearer recovery-operator"}
CHECKOUT = {"Authorization": "Bearer recovery-checkout"}
Snapshot = dict[str, list[tuple[Any, ...]]]


@pytest.fixture
async def private_topic(kafka_bootstrap: str) -> AsyncIterator[str]:
    """A private events topic shaped like the real one, and its dead-letter topic ``<name>.dlq``."""
    shaped = new_private_topic(
        kafka_bootstrap, "test.loss", EVENTS_TOPIC_PARTITIONS, dead_letter=True, configs=LOG_CONFIG
    )
    async with shaped as name:
        yield name


def as_customer(customer_id: str) -> dict[str, str]:
    return {**CHECKOUT, "X-Customer-Id": customer_id}


async def post(client: httpx.AsyncClient, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code in (200, 201), f"{path}: {response.status_code} {response.text}"
    return response.json()


async def sell(client: httpx.AsyncClient, show_id: str, n: int) -> None:
    """One show's history: holds, releases, orders with and without referrers, payments, cancellations."""
    orders: list[tuple[str, str, int]] = []
    for i in range(8):
        customer = f"s{n}-c{i}"
        body: dict[str, Any] = (
            {"customer_id": customer, "zone_id": "B", "quantity": 1 + i % 3}
            if i % 2
            else {"customer_id": customer, "seat_ids": [f"A-{1 + i // 2}-{j}" for j in (1, 2)]}
        )
        hold = await post(client, f"/v1/shows/{show_id}/holds", body, CHECKOUT)
        if i in (3, 6):
            released = await client.delete(f"/v1/holds/{hold['hold_id']}", headers=as_customer(customer))
            assert released.status_code == 200, released.text
        elif i != 7:  # hold 7 stays a live hold
            referrer = {"referrer_id": f"ref-{i % 2}"} if i < 4 else {}
            order = await post(
                client,
                "/v1/orders",
                {"hold_id": hold["hold_id"], "customer_id": customer, **referrer},
                CHECKOUT,
            )
            orders.append((order["order_id"], customer, order["total_cents"]))
    for k, (order_id, customer, total) in enumerate(orders):
        if k not in (3, 4):  # orders 3 and 4 stay pending
            payment = {"payment_ref": f"pay-{order_id}", "amount_cents": total}
            await post(client, f"/v1/orders/{order_id}/payment", payment, as_customer(customer))
    for order_id, customer, _ in (orders[1], orders[4]):  # one paid (refunded), one pending
        await post(
            client, f"/v1/orders/{order_id}/cancel", {"reason": "changed plans"}, as_customer(customer)
        )


async def new_show(client: httpx.AsyncClient, venue_id: str, n: int) -> str:
    body = {"venue_id": venue_id, "title": f"Recovery {n}", "starts_at": f"2031-0{n + 1}-01T20:00:00Z"}
    show = await post(client, "/v1/shows", {**body, "prices": {"A": 4000 + n, "B": 2500}}, OPERATOR)
    return str(show["show_id"])


async def run_commands(settings: CommandSettings) -> list[str]:
    app = create_app(settings, ApiKeySettings(api_keys=SecretStr(API_KEYS)))
    rows = [{"row": str(r), "seats": 6} for r in range(1, 5)]
    zones = [{"zone_id": z, "name": f"Zone {z}", "rows": rows} for z in ("A", "B")]
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://command") as client:
            venue = await post(client, "/v1/venues", {"name": f"venue-{uuid4()}", "zones": zones}, OPERATOR)
            shows = [await new_show(client, venue["venue_id"], n) for n in range(3)]
            for n, show_id in enumerate(shows):
                await sell(client, show_id, n)
            return shows
    finally:
        await app.state.command.engine.dispose()


def outbox(database_url: str) -> list[tuple[UUID, UUID, int, bytes, bool]]:
    """(show_id, event_id, seq, body, published) of every stored event, per show in seq order."""
    rows = query(
        database_url,
        "SELECT show_id, event_id, seq, body, published_at IS NOT NULL FROM write_model.outbox"
        " ORDER BY show_id, seq",
    )
    return [(r[0], r[1], r[2], bytes(r[3]), r[4]) for r in rows]


async def wait_published(database_url: str, within: float = 30.0) -> None:
    async with asyncio.timeout(within):
        while not all(row[4] for row in outbox(database_url)):
            await asyncio.sleep(0.05)


def snapshot(database_url: str, deployments: list[Deployment]) -> Snapshot:
    """Every row of every read view of the deployments, ordered by all columns."""
    out: Snapshot = {}
    for deployment in deployments:
        for view in deployment.projection.views("unused"):
            width = query(
                database_url,
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = %s AND table_name = %s",
                (deployment.views_schema, view),
            )[0][0]
            order = ", ".join(str(i) for i in range(1, width + 1))
            out[view] = query(
                database_url, f'SELECT * FROM "{deployment.views_schema}"."{view}" ORDER BY {order}'
            )
    return out


async def delete_topic(bootstrap: str, topic: str, within: float = 30.0) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([topic])
        async with asyncio.timeout(within):
            while topic in set(await admin.list_topics()) or await partitions_of(bootstrap, topic):
                await asyncio.sleep(0.2)
    finally:
        await admin.close()


async def topic_by_show(bootstrap: str, topic: str) -> dict[UUID, list[tuple[UUID, int, bytes]]]:
    """(event_id, seq, bytes) per show in topic order; the key must name the show."""
    found: dict[UUID, list[tuple[UUID, int, bytes]]] = {}
    for message in await read_topic(bootstrap, topic):
        event = decode_event(message.value)
        assert message.key == partition_key(event.envelope.stream_id)
        found.setdefault(event.envelope.stream_id, []).append(
            (event.envelope.event_id, event.envelope.seq, message.value)
        )
    return found


async def relay_again(bootstrap: str, topic: str, events: list[tuple[UUID, UUID, int, bytes, bool]]) -> None:
    """Publish stored events a second time, as a relay killed between publishing and marking does."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for show_id, _, _, body, _ in events:
            await producer.send_and_wait(topic, body, key=partition_key(show_id))
    finally:
        await producer.stop()


# With duplicates in the lost log, the serving version's offsets run past the end of
# the re-created one: the replay must still finish, at the new log's end.
@pytest.mark.parametrize("duplicates_in_lost_log", [0, 3])
async def test_lost_topic_republished_from_the_store_replays_to_identical_read_models(
    private_database_url: str, kafka_bootstrap: str, private_topic: str, duplicates_in_lost_log: int
) -> None:
    settings = CommandSettings(
        database_url=private_database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        events_topic=private_topic,
        relay_fallback_poll_seconds=0.05,
    )
    deployments = [deployment_for(name, private_topic) for name in ("seat_availability", "dashboard")]
    relay_stop, projectors_stop = asyncio.Event(), asyncio.Event()
    relay = asyncio.create_task(build_worker(settings).run(relay_stop))
    projectors = asyncio.create_task(
        run_projectors(deployments, private_database_url, kafka_bootstrap, projectors_stop)
    )
    try:
        shows = await run_commands(settings)
        await wait_published(private_database_url)
    finally:
        relay_stop.set()
        await relay
    stored = outbox(private_database_url)
    await relay_again(kafka_bootstrap, private_topic, stored[:duplicates_in_lost_log])
    try:
        for deployment in deployments:
            await wait_consumed(
                private_database_url, deployment, len(stored) + duplicates_in_lost_log, within=60
            )
    finally:
        projectors_stop.set()
        await projectors
    before = snapshot(private_database_url, deployments)
    totals = before["dashboard_totals"][0]
    assert sorted({row[0] for row in before["seat_availability_shows"]}) == sorted(UUID(s) for s in shows)
    assert {row[5] for row in before["seat_availability_seats"]} == {"available", "held", "sold"}
    pending, paid, cancelled, _, _, _, refunded, live_holds, _ = totals
    assert min(pending, paid, cancelled, refunded, live_holds) > 0, f"a history without every kind: {totals}"

    await delete_topic(kafka_bootstrap, private_topic)
    progress: list[tuple[int, int]] = []
    count = await republish_from_store(settings, lambda done, total: progress.append((done, total)))
    assert count == len(stored)
    assert progress[-1] == (count, count)
    assert await partitions_of(kafka_bootstrap, private_topic) == list(range(EVENTS_TOPIC_PARTITIONS))
    expected: dict[UUID, list[tuple[UUID, int, bytes]]] = {}
    for show_id, event_id, seq, body, _ in stored:
        expected.setdefault(show_id, []).append((event_id, seq, body))
    assert await topic_by_show(kafka_bootstrap, private_topic) == expected

    for deployment in deployments:
        # Bounded so that a replay that cannot finish fails the test instead of hanging it.
        async with asyncio.timeout(60):
            outcome = await replay(deployment, private_database_url, kafka_bootstrap, swap_timeout=30)
        assert (outcome.old and outcome.old.version, outcome.new.version) == (1, 2)
        assert outcome.dropped_old
    live = query(
        private_database_url,
        "SELECT projection, version FROM projection_meta.versions"
        " WHERE state = 'live' AND projection = ANY(%s)",
        ([d.registry_name for d in deployments],),
    )
    assert sorted(v for _, v in live) == [2, 2]
    assert sum((await end_offsets(kafka_bootstrap, private_topic)).values()) == len(stored)
    assert snapshot(private_database_url, deployments) == before
