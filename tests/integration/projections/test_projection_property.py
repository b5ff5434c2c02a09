"""Property: random command sequences through the real command side (API in-process, outbox
relay to a private topic) leave both read models equal to what the write model says."""

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import httpx
import psycopg
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from command_side.bootstrap import build_worker, create_app
from command_side.settings import CommandSettings
from contracts.lean import decode_lean
from contracts.read_model import TOTAL_FIGURES
from infra.db import libpq_dsn
from infra.settings import ApiKeySettings
from projections.runtime.decoding import Record, decode
from projections.runtime.projection import Deployment
from projections.runtime.trusted_decoding import TrustedEvent
from projections.runtime.versions import ensure_live
from projections.testing import Truth
from projections.testing.harness import (
    assert_dashboard_matches,
    assert_seats_match,
    deployment_for,
    query,
    read_topic,
)
from tests.integration.projections.projectors import projector_of

pytestmark = [pytest.mark.integration, pytest.mark.slow]
KEYS = "operator:prop-operator-key,checkout:prop-checkout-key,viewer:prop-viewer-key"
OPERATOR = {"Authorization": "Bearer prop-operator-key"}
ZONES, ROWS, SEATS = ("A", "B"), ("1", "2"), 4


def customer(name: str) -> dict[str, str]:
    return {"Authorization": "Bearer prop-checkout-key", "X-Customer-Id": name}


@dataclass
class World:
    """The command side, its relay and both projectors, running for the whole module."""

    client: httpx.AsyncClient
    database_url: str
    deployments: list[Deployment]
    bootstrap: str
    topic: str
    holds: list[tuple[str, str]] = field(default_factory=list)  # hold_id, customer
    orders: list[tuple[str, str, int]] = field(default_factory=list)  # order_id, customer, total


@pytest.fixture(scope="module")
async def world(private_db: str, kafka_bootstrap: str) -> AsyncIterator[World]:
    topic = f"test.prop.{uuid4().hex[:12]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, 4, 1), NewTopic(f"{topic}.dlq", 1, 1)])
    settings_ = CommandSettings(
        database_url=private_db,
        kafka_bootstrap_servers=kafka_bootstrap,
        events_topic=topic,
        relay_fallback_poll_seconds=0.05,
    )
    app = create_app(settings_, ApiKeySettings(api_keys=SecretStr(KEYS)))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://command", timeout=60)
    deployments = [deployment_for("seat_availability", topic), deployment_for("dashboard", topic)]
    async with await psycopg.AsyncConnection.connect(libpq_dsn(private_db), autocommit=True) as conn:
        for d in deployments:
            await ensure_live(conn, d)
    stop = asyncio.Event()
    worker = build_worker(settings_)
    tasks = [
        asyncio.create_task(worker.run(stop)),
        asyncio.create_task(projector_of(deployments, private_db, kafka_bootstrap, max_records=50).run(stop)),
    ]
    try:
        yield World(client, private_db, deployments, kafka_bootstrap, topic)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await client.aclose()
        await admin.delete_topics([topic, f"{topic}.dlq"])
        await admin.close()


async def new_show(w: World) -> str:
    zones = [
        {"zone_id": z, "name": f"Zone {z}", "rows": [{"row": r, "seats": SEATS} for r in ROWS]} for z in ZONES
    ]
    venue = await w.client.post("/v1/venues", json={"name": f"v-{uuid4()}", "zones": zones}, headers=OPERATOR)
    assert venue.status_code == 201, venue.text
    show = await w.client.post(
        "/v1/shows",
        headers=OPERATOR,
        json={
            "venue_id": venue.json()["venue_id"],
            "title": "Prop",
            "starts_at": "2031-01-01T20:00:00Z",
            "prices": {z: 1000 * (i + 1) for i, z in enumerate(ZONES)},
        },
    )
    assert show.status_code == 201, show.text
    return str(show.json()["show_id"])


async def step(w: World, show: str, op: str, pick: int) -> None:
    rng = random.Random(pick)
    who = f"c{pick % 3}"
    if op == "hold":
        seats = [
            f"{rng.choice(ZONES)}-{rng.choice(ROWS)}-{rng.randint(1, SEATS)}"
            for _ in range(rng.randint(1, 3))
        ]
        r = await w.client.post(
            f"/v1/shows/{show}/holds",
            headers=customer(who),
            json={"customer_id": who, "seat_ids": sorted(set(seats))},
        )
    elif op == "hold_best":
        r = await w.client.post(
            f"/v1/shows/{show}/holds",
            headers=customer(who),
            json={"customer_id": who, "zone_id": rng.choice(ZONES), "quantity": rng.randint(1, 3)},
        )
    elif op == "release" and w.holds:
        hold_id, who = rng.choice(w.holds)
        r = await w.client.delete(f"/v1/holds/{hold_id}", headers=customer(who))
    elif op == "order" and w.holds:
        hold_id, who = rng.choice(w.holds)
        body = {"hold_id": hold_id, "customer_id": who, "referrer_id": rng.choice([None, "aff1", "aff2"])}
        r = await w.client.post("/v1/orders", headers=customer(who), json=body)
        if r.status_code == 201:
            w.orders.append((r.json()["order_id"], who, r.json()["total_cents"]))
    elif op == "pay" and w.orders:
        order_id, who, total = rng.choice(w.orders)
        r = await w.client.post(
            f"/v1/orders/{order_id}/payment",
            headers=customer(who),
            json={"payment_ref": f"p-{pick}", "amount_cents": total},
        )
    elif op == "cancel" and w.orders:
        order_id, who, _ = rng.choice(w.orders)
        r = await w.client.post(f"/v1/orders/{order_id}/cancel", headers=customer(who), json={})
    else:
        return
    assert r.status_code < 500, r.text
    if op.startswith("hold") and r.status_code == 201:
        w.holds.append((r.json()["hold_id"], who))


async def converged(w: World) -> None:
    """Wait until every committed event is relayed and applied by both projections."""
    for _ in range(600):
        unpublished = query(
            w.database_url, "SELECT count(*) FROM write_model.outbox WHERE published_at IS NULL"
        )
        behind = 0
        for d in w.deployments:
            behind += query(
                w.database_url,
                "SELECT count(*) FROM write_model.shows s"
                f' LEFT JOIN "{d.schema_for(1)}".watermarks m'
                " USING (show_id)"
                " WHERE m.seq IS DISTINCT FROM s.stream_version",
            )[0][0]
        if unpublished[0][0] == 0 and behind == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the projections did not catch up with the write model")


OPS = st.sampled_from(["hold", "hold", "hold_best", "release", "order", "order", "pay", "pay", "cancel"])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.tuples(OPS, st.integers(0, 10**9)), min_size=1, max_size=30))
async def test_read_models_equal_the_write_model(world: World, ops: list[tuple[str, int]]) -> None:
    show = await new_show(world)
    for op, pick in ops:
        await step(world, show, op, pick)
    await converged(world)
    truth = truth_from_write_model(world.database_url)
    assert_seats_match(world.database_url, world.deployments[0], truth)
    assert_dashboard_matches(world.database_url, world.deployments[1], truth)


async def test_the_projectors_decoded_every_relayed_event_on_the_lean_path(world: World) -> None:
    """The property above ran on the fast path: the relay's bytes are all taken by the trusted
    decode (the runtime tries that first; it folds as the full decode, unit-tested), and all
    decode lean too (the full decode's own fast path)."""
    records = await read_topic(world.bootstrap, world.topic)
    assert records, "the property test published nothing"
    for r in records:
        assert decode_lean(r.value) is not None, r.value
        incoming = decode(Record(r.partition, r.offset, r.key, r.value, r.timestamp))
        assert isinstance(incoming.event, TrustedEvent), r.value


_NET = "CASE WHEN o.status = 'paid' THEN o.total_cents ELSE 0 END"


def truth_from_write_model(database_url: str) -> Truth:
    seats = {
        (r[0], r[1]): r[2]
        for r in query(database_url, "SELECT show_id, seat_id, status FROM write_model.seat_inventory")
    }
    (totals_row,) = query(
        database_url,
        f"""
        SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'paid'),
               count(*) FILTER (WHERE status = 'cancelled'), count(*) FILTER (WHERE status = 'expired'),
               coalesce(sum(jsonb_array_length(lines)) FILTER (WHERE status = 'paid'), 0),
               coalesce(sum({_NET}), 0), coalesce(sum(refunded_cents), 0)
        FROM write_model.orders o""",
    )
    names = TOTAL_FIGURES[:7]  # the two holds' figures are read below
    totals: dict[str, int] = {n: int(v) for n, v in zip(names, totals_row, strict=True)}
    totals["live_holds"] = int(
        query(database_url, "SELECT count(*) FROM write_model.holds WHERE status = 'live'")[0][0]
    )
    totals["held_seats"] = sum(1 for s in seats.values() if s == "held")
    paid = "FROM write_model.orders o WHERE o.status = 'paid'"
    by_day = _triples(
        database_url,
        f"SELECT (paid_at AT TIME ZONE 'UTC')::date, count(*),"
        f" sum(jsonb_array_length(lines)), sum(total_cents) {paid} GROUP BY 1",
    )
    by_referrer = _triples(
        database_url,
        "SELECT referrer_id, count(*), sum(jsonb_array_length(lines)),"
        f" sum(total_cents) {paid} AND referrer_id IS NOT NULL GROUP BY 1",
    )
    revenue = dict(query(database_url, f"SELECT show_id, sum(total_cents) {paid} GROUP BY 1"))
    by_show: dict[UUID, tuple[int, int, int]] = {}
    for show_id, sold, held in query(
        database_url,
        "SELECT show_id,"
        " count(*) FILTER (WHERE status = 'sold'),"
        " count(*) FILTER (WHERE status = 'held') FROM write_model.seat_inventory"
        " GROUP BY 1",
    ):
        by_show[show_id] = (int(sold), int(held), int(revenue.get(show_id, 0)))
    by_zone = {
        (r[0], r[1]): (int(r[2]), int(r[3]))
        for r in query(
            database_url,
            "SELECT o.show_id, l->>'zone_id', count(*), sum((l->>'price_cents')::bigint)"
            " FROM write_model.orders o, jsonb_array_elements(o.lines) l"
            " WHERE o.status = 'paid' GROUP BY 1, 2",
        )
    }
    return Truth(seats, totals, by_day, by_show, by_zone, by_referrer)


def _triples(database_url: str, sql: str) -> dict[Any, tuple[int, int, int]]:
    return {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in query(database_url, sql)}
