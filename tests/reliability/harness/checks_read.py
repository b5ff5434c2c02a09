"""Checks of the read side after a run: caught up, equal to the write model, equal to a clean replay.

A read model is compared three ways: with the write model folded by SQL
(seat states, dashboard totals), with a fresh deployment that replays the
whole topic from offset 0 in this process, and by its dead letters (only
injected poison may be there).
"""

import asyncio
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaConsumer, TopicPartition

from contracts import EVENTS_TOPIC, EVENTS_TOPIC_PARTITIONS
from contracts.read_model import TOTAL_FIGURES
from projections.runtime.projection import Deployment
from projections.runtime.projectors import supervise
from projections.runtime.sql import ident
from tests.reliability.harness.checks_write import Offset, wait_for
from tests.reliability.harness.stack import private_deployment
from tests.support.database import query


async def topic_end(bootstrap: str, topic: str = EVENTS_TOPIC) -> int:
    """The sum of the end offsets of every partition: what a caught-up projection has consumed."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    # let the consumer's background task begin: stop() on a task never started raises CancelledError
    await asyncio.sleep(0.05)
    try:
        partitions = [TopicPartition(topic, p) for p in range(EVENTS_TOPIC_PARTITIONS)]
        consumer.assign(partitions)  # an unassigned consumer's stop() raises CancelledError
        return sum((await consumer.end_offsets(partitions)).values())
    finally:
        await consumer.stop()


def consumed(database_url: str, deployment: Deployment) -> int:
    rows = query(
        database_url,
        "SELECT schema_name FROM projection_meta.versions WHERE projection = %s AND state = 'live'",
        (deployment.registry_name,),
    )
    if not rows:
        return 0
    total = query(database_url, f"SELECT coalesce(sum(next_offset), 0) FROM {ident(rows[0][0])}.checkpoints")
    return int(total[0][0])


async def wait_caught_up(
    database_url: str, deployment: Deployment, end: int, within_s: float = 120.0
) -> None:
    await wait_for(
        lambda: consumed(database_url, deployment) >= end,
        f"{deployment.registry_name} to consume {end} records",
        within_s,
    )


def view_rows(database_url: str, deployment: Deployment, view: str) -> list[tuple[Any, ...]]:
    rows = query(database_url, f"SELECT * FROM {ident(deployment.views_schema)}.{ident(view)}")
    return sorted(rows, key=repr)


def check_equal_views(database_url: str, live: Deployment, replayed: Deployment) -> int:
    """Each view of ``live`` holds exactly the rows of that view of ``replayed``; returns rows compared."""
    compared = 0
    for view in live.projection.views("x"):
        got, want = view_rows(database_url, live, view), view_rows(database_url, replayed, view)
        assert got == want, f"{view} differs from a clean replay: {len(got)} rows vs {len(want)}"
        compared += len(got)
    return compared


async def replay(database_url: str, bootstrap: str, name: str, end: int) -> Deployment:
    """A fresh deployment of projection ``name`` run in this process from offset 0 up to ``end``."""
    deployment = private_deployment(name)
    stop = asyncio.Event()
    task = asyncio.create_task(supervise(deployment, database_url, bootstrap, stop))
    try:
        await wait_caught_up(database_url, deployment, end)
    finally:
        stop.set()
        await task
    return deployment


def check_seats_equal_write_model(database_url: str, deployment: Deployment, shows: Iterable[str]) -> int:
    """The seat map of these shows says what the write model's seat inventory says, seat by seat."""
    ids = [UUID(s) for s in shows]
    read = query(
        database_url,
        f"SELECT show_id, seat_id, status FROM {ident(deployment.views_schema)}"
        ".seat_availability_seats WHERE show_id = ANY(%s)",
        (ids,),
    )
    write = query(
        database_url,
        "SELECT show_id, seat_id, status FROM write_model.seat_inventory WHERE show_id = ANY(%s)",
        (ids,),
    )
    assert sorted(read) == sorted(write), "the seat map differs from the write model"
    return len(read)


WRITE_TOTALS = """
SELECT
  (SELECT count(*) FROM write_model.orders WHERE status = 'pending'),
  (SELECT count(*) FROM write_model.orders WHERE status = 'paid'),
  (SELECT count(*) FROM write_model.orders WHERE status = 'cancelled'),
  (SELECT count(*) FROM write_model.orders WHERE status = 'expired'),
  (SELECT coalesce(sum(cardinality(h.seat_ids)), 0) FROM write_model.orders o
     JOIN write_model.holds h USING (hold_id) WHERE o.status = 'paid'),
  (SELECT coalesce(sum(total_cents), 0) FROM write_model.orders WHERE status = 'paid'),
  (SELECT coalesce(sum(refunded_cents), 0) FROM write_model.orders),
  (SELECT count(*) FROM write_model.holds WHERE status = 'live'),
  (SELECT coalesce(sum(cardinality(h.seat_ids)), 0) FROM write_model.holds h
     LEFT JOIN write_model.orders o USING (hold_id)
     WHERE h.status = 'live' OR o.status = 'pending')
"""


def check_dashboard_equals_write_model(database_url: str, deployment: Deployment) -> dict[str, int]:
    """Dashboard totals equal the write model's orders and holds (the instance holds only test data)."""
    names = TOTAL_FIGURES  # the dashboard_totals view's columns, in the order WRITE_TOTALS selects them
    columns = ", ".join(names)
    read = query(database_url, f"SELECT {columns} FROM {ident(deployment.views_schema)}.dashboard_totals")[0]
    write = query(database_url, WRITE_TOTALS)[0]
    got, want = dict(zip(names, map(int, read), strict=True)), dict(zip(names, map(int, write), strict=True))
    assert got == want, f"dashboard totals {got} differ from the write model {want}"
    return got


def dead_letters(database_url: str, deployment: Deployment) -> set[Offset]:
    rows = query(
        database_url,
        "SELECT schema_name FROM projection_meta.versions WHERE projection = %s AND state = 'live'",
        (deployment.registry_name,),
    )
    letters = query(database_url, f'SELECT partition, "offset" FROM {ident(rows[0][0])}.dead_letters')
    return {(int(p), int(o)) for p, o in letters}
