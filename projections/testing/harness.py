"""Test support (see :mod:`projections.testing`): producing events to a private topic,
running projectors, reading the results back.

For integration tests and the catch-up benchmark; every helper takes the names
of a private deployment so that runs never meet each other or the live version.
"""

import asyncio
import signal
import subprocess
from collections.abc import Iterable
from typing import Any
from uuid import UUID, uuid4

import psycopg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from contracts import encode_event, partition_key
from contracts.envelope import Envelope
from infra.db import libpq_dsn
from projections.catalog import PROJECTIONS
from projections.dashboard.fold import TOTALS
from projections.ops.replay_processes import projector_process
from projections.runtime.projection import Deployment
from projections.runtime.topic_offsets import partitions_of
from projections.testing import Truth


def deployment_for(name: str, topic: str) -> Deployment:
    """A deployment of projection ``name`` that no other run or the live version shares."""
    tag = uuid4().hex[:10]
    return Deployment(PROJECTIONS[name], f"{name}_t{tag}", topic, f"read_t{tag}", f"{topic}.dlq")


async def produce(
    bootstrap: str,
    topic: str,
    events: Iterable[Envelope | tuple[bytes | None, bytes]],
    partition: int | None = None,
) -> int:
    """Publish events (keyed by show) or raw (key, value) pairs in order; return how many."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, max_batch_size=1 << 20)
    await producer.start()
    try:
        futures = []
        for item in events:
            key, value = (
                (partition_key(item.stream_id), encode_event(item)) if isinstance(item, Envelope) else item
            )
            futures.append(await producer.send(topic, value, key=key, partition=partition))
        for f in futures:
            await f
    finally:
        await producer.stop()
    return len(futures)


async def read_topic(bootstrap: str, topic: str) -> list[Any]:
    """Every record of ``topic`` from the beginning to its end when called, in offset order per partition.

    Records that arrive meanwhile are left out, so the answer is the topic as it
    stood; a topic that does not exist reads as empty.
    """
    partitions = [TopicPartition(topic, p) for p in await partitions_of(bootstrap, topic)]
    if not partitions:
        return []
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    # let the consumer's background task begin: stop() on a task never started raises CancelledError
    await asyncio.sleep(0.05)
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        out: list[Any] = []
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                out.extend(r for r in records if r.offset < ends[TopicPartition(topic, r.partition)])
        return sorted(out, key=lambda r: (r.partition, r.offset))
    finally:
        await consumer.stop()


def query(database_url: str, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with psycopg.connect(libpq_dsn(database_url)) as conn:
        return conn.execute(sql, params).fetchall()


def consumed(database_url: str, deployment: Deployment, version: int = 1) -> int:
    schema = deployment.schema_for(version)
    try:
        rows = query(database_url, f'SELECT coalesce(sum(next_offset), 0) FROM "{schema}".checkpoints')
    except psycopg.errors.UndefinedTable:
        return 0
    return int(rows[0][0])


def version_states(database_url: str, deployment: Deployment) -> dict[int, str]:
    """Each registered version of ``deployment`` and its state (building, live, retired...)."""
    rows = query(
        database_url,
        "SELECT version, state FROM projection_meta.versions WHERE projection = %s",
        (deployment.registry_name,),
    )
    return {int(version): str(state) for version, state in rows}


async def wait_consumed(
    database_url: str, deployment: Deployment, total: int, version: int = 1, within: float = 120.0
) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while consumed(database_url, deployment, version) < total:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"consumed {consumed(database_url, deployment, version)} of {total}")
        await asyncio.sleep(0.2)


def seat_model(database_url: str, views: str, shows: Iterable[UUID]) -> dict[tuple[UUID, str], str]:
    rows = query(
        database_url,
        f'SELECT show_id, seat_id, status FROM "{views}".seat_availability_seats WHERE show_id = ANY(%s)',
        (list(shows),),
    )
    return {(r[0], r[1]): r[2] for r in rows}


def assert_seats_match(database_url: str, deployment: Deployment, truth: Truth) -> None:
    shows = {k[0] for k in truth.seats}
    assert seat_model(database_url, deployment.views_schema, shows) == truth.seats
    v = deployment.views_schema
    zones = query(
        database_url,
        f'SELECT show_id, zone_id, available, held, sold, capacity FROM "{v}".seat_availability_zones',
    )
    for show_id, zone_id, available, held, sold, capacity in zones:
        states = [
            st for (s, seat), st in truth.seats.items() if s == show_id and seat.split("-")[0] == zone_id
        ]
        assert (available, held, sold, capacity) == (
            states.count("available"),
            states.count("held"),
            states.count("sold"),
            len(states),
        )
    for show_id, available, held, sold in query(
        database_url, f'SELECT show_id, available, held, sold FROM "{v}".seat_availability_shows'
    ):
        states = [st for (s, _), st in truth.seats.items() if s == show_id]
        assert (available, held, sold) == (
            states.count("available"),
            states.count("held"),
            states.count("sold"),
        )


def dashboard_figures(database_url: str, views: str) -> dict[str, Any]:
    totals = query(database_url, f'SELECT * FROM "{views}".dashboard_totals')[0]
    return {
        "totals": dict(zip(TOTALS, totals, strict=True)),
        "by_day": {
            r[0]: tuple(r[1:])
            for r in query(
                database_url,
                f'SELECT day, orders_paid, tickets_sold, revenue_cents FROM "{views}".dashboard_sales_by_day',
            )
            if any(r[1:])
        },
        "by_show": {
            r[0]: tuple(r[1:])
            for r in query(
                database_url, f'SELECT show_id, sold, held, revenue_cents FROM "{views}".dashboard_by_show'
            )
        },
        "by_zone": {
            (r[0], r[1]): tuple(r[2:])
            for r in query(
                database_url, f'SELECT show_id, zone_id, sold, revenue_cents FROM "{views}".dashboard_by_zone'
            )
            if any(r[2:])
        },
        "by_referrer": {
            r[0]: tuple(r[1:])
            for r in query(
                database_url,
                "SELECT referrer_id, orders_paid, tickets_sold, revenue_cents"
                f' FROM "{views}".dashboard_by_referrer',
            )
            if any(r[1:])
        },
    }


def assert_dashboard_matches(database_url: str, deployment: Deployment, truth: Truth) -> None:
    got = dashboard_figures(database_url, deployment.views_schema)
    assert got["totals"] == truth.totals
    assert got["by_day"] == {k: v for k, v in truth.by_day.items() if any(v)}
    assert got["by_show"] == truth.by_show
    assert got["by_zone"] == {k: v for k, v in truth.by_zone.items() if any(v)}
    assert got["by_referrer"] == {k: v for k, v in truth.by_referrer.items() if any(v)}
    assert_per_show_figures_add_up(database_url, deployment.views_schema, got)


def assert_per_show_figures_add_up(database_url: str, views: str, got: dict[str, Any]) -> None:
    """The filtered dashboard's per-show figures sum to the whole dashboard's, and match by show."""
    names = list(got["totals"])
    per_show = query(database_url, f'SELECT show_id, {", ".join(names)} FROM "{views}".dashboard_show_totals')
    sums = {name: sum(row[i + 1] for row in per_show) for i, name in enumerate(names)}
    assert sums == got["totals"]
    revenue = {row[0]: row[1 + names.index("revenue_cents")] for row in per_show}
    shows = {s: v[2] for s, v in got["by_show"].items() if v[2]}
    assert {show: r for show, r in revenue.items() if r} == shows
    triple = "sum(orders_paid)::bigint, sum(tickets_sold)::bigint, sum(revenue_cents)::bigint"
    by_day = query(
        database_url, f'SELECT day, {triple} FROM "{views}".dashboard_show_sales_by_day GROUP BY day'
    )
    assert {r[0]: tuple(r[1:]) for r in by_day if any(r[1:])} == got["by_day"]
    by_referrer = query(
        database_url,
        f'SELECT referrer_id, {triple} FROM "{views}".dashboard_show_referrer_sales GROUP BY referrer_id',
    )
    assert {r[0]: tuple(r[1:]) for r in by_referrer if any(r[1:])} == got["by_referrer"]


def start_projector_process(
    database_url: str, bootstrap: str, deployment: Deployment, *extra: str
) -> subprocess.Popen[bytes]:
    """A projector process for a test deployment (``python -m projections.runtime.process``)."""
    argv, env = projector_process(deployment, database_url, bootstrap, *extra)
    return subprocess.Popen(argv, env=env)


def kill(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    if process.poll() is None:
        process.send_signal(sig)
    process.wait(timeout=30)
