"""Waiting until the pipeline is idle, so that a case does not pay for the previous one's backlog.

Idle: the outbox has no unpublished row (the relay caught up) and both
projections' checkpoints reached the private topic's end offsets (the
projectors caught up). Each case starts from there; during a case the relay
and projectors work as they would in production, on the same cores.
"""

import asyncio
import time
from collections.abc import Callable

import psycopg
from aiokafka import AIOKafkaConsumer, TopicPartition

from benchmarks.datagen.catchup import wait_caught_up
from benchmarks.environment import BenchEnv
from contracts import EVENTS_TOPIC_PARTITIONS
from infra.db import libpq_dsn
from projections.catalog import PROJECTIONS


def registries(env: BenchEnv) -> list[str]:
    return [f"{env.registry_prefix}_{name}" for name in sorted(PROJECTIONS)]


async def unpublished(database_url: str) -> int:
    async with await psycopg.AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
        cur = await conn.execute("SELECT count(*) FROM write_model.outbox WHERE published_at IS NULL")
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    """End offset per partition (the run created the topic with the production partition count)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        ends = await consumer.end_offsets([TopicPartition(topic, p) for p in range(EVENTS_TOPIC_PARTITIONS)])
    finally:
        await consumer.stop()
    return {tp.partition: int(offset) for tp, offset in ends.items()}


async def wait_quiet(env: BenchEnv, limit_s: float, check: Callable[[], None]) -> float:
    """Seconds until the relay and the projectors are idle; TimeoutError past ``limit_s``."""
    began = time.monotonic()
    while await unpublished(env.database_url):
        check()
        if time.monotonic() - began > limit_s:
            raise TimeoutError(f"the relay left events unpublished for {limit_s:.0f} s")
        await asyncio.sleep(0.05)
    ends = await end_offsets(env.kafka_bootstrap, env.topic)
    remaining = max(1.0, limit_s - (time.monotonic() - began))
    await wait_caught_up(env.database_url, registries(env), ends, remaining, check=check)
    return time.monotonic() - began
