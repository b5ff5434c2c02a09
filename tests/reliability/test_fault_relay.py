"""The command worker SIGKILLed after Kafka acked a batch and before the rows were marked published.

The window is made certain rather than hoped for: the test holds a row lock
on every unpublished outbox row, starts the worker, waits until its relay has
published the batch (the topic grew) and is blocked marking it (its UPDATE
waits on our lock), and kills it there, with its database session (which would
otherwise finish the mark once the lock is released). The next leader publishes those rows
again: the topic then holds byte-identical re-sends, which projections drop
by seq, and everything else must be exact.
"""

import asyncio
from typing import Any

import psycopg
import pytest

from infra.db import libpq_dsn
from tests.reliability.harness import checks_read as rd
from tests.reliability.harness import checks_write as wr
from tests.reliability.harness.load import Load
from tests.reliability.harness.scenario import run_with_fault, settle_and_verify
from tests.reliability.harness.stack import Stack
from tests.support.database import query

pytestmark = [pytest.mark.integration, pytest.mark.fault]
ROUNDS = 2


def relay_blocked_marking(database_url: str) -> bool:
    """The relay's mark waits on our lock: a plain UPDATE, or the one its mark-and-read statement
    starts with (``WITH marked AS (UPDATE ...``), hence the leading wildcard."""
    rows = query(
        database_url,
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND query LIKE '%%UPDATE write_model.outbox SET published_at%%'",
    )
    return int(rows[0][0]) > 0


async def kill_between_publish_and_mark(stack: Stack, load: Load) -> int:
    """One round; returns how many rows were published and left unmarked by the killed relay."""
    db, kafka = stack.services.database_url, stack.services.kafka_bootstrap_servers
    worker = stack.workers[0]
    await asyncio.to_thread(worker.stop)  # rows pile up in the outbox meanwhile
    for n in range(50):  # the load may be between journeys or done: make sure rows are waiting
        if wr.outbox_backlog(db) > 0:
            break
        await load.journey(f"relay-round-{n}")
    assert wr.outbox_backlog(db) > 0, "no unpublished rows to lock"
    async with await psycopg.AsyncConnection.connect(libpq_dsn(db)) as conn:
        locked = await (
            await conn.execute(
                "SELECT position FROM write_model.outbox WHERE published_at IS NULL FOR UPDATE"
            )
        ).fetchall()
        before = await rd.topic_end(kafka)
        worker.start()
        await wr.wait_for(lambda: relay_blocked_marking(db), "the relay to block on marking", 60)
        published = await rd.topic_end(kafka) - before
        await asyncio.to_thread(worker.kill)
        # The mark is one autocommit statement: its session, left waiting on our lock, would still
        # apply it once the lock is released (correctly: Kafka has the rows). End that session too,
        # as a crash of the whole machine would, so the mark is lost and the re-send path runs.
        terminated = query(
            db,
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND query LIKE '%%UPDATE write_model.outbox SET published_at%%'",
        )
        assert int(terminated[0][0]) > 0, "the relay's marking session was not found"
        await conn.rollback()
    assert published >= len(locked), (
        f"the relay marks before Kafka has the rows ({published} < {len(locked)})"
    )
    worker.start()
    return len(locked)


async def test_relay_killed_after_publishing_before_marking_republishes_without_loss(
    started_stack: tuple[Stack, Load], injected_poison: Any, record_figures: Any
) -> None:
    stack, load = started_stack

    async def fault() -> dict[str, Any]:
        unmarked = []
        for _ in range(ROUNDS):
            await asyncio.sleep(4)
            unmarked.append(await kill_between_publish_and_mark(stack, load))
        return {"relay_sigkills_between_publish_and_mark": ROUNDS, "rows_published_not_marked": unmarked}

    _, injected = await run_with_fault(stack, load, fault, duration_s=25, max_journeys=600)

    figures = await settle_and_verify(stack, load, injected_poison)
    assert figures["topic"]["resent_duplicates"] >= sum(injected["rows_published_not_marked"])
    record_figures({"scenario": "relay killed between publish and mark", "fault": injected, **figures})
