"""Catch-up and replay throughput of the projectors, measured on a private topic (test support,
see :mod:`projections.testing`).

``python -m projections.testing.bench --events 200000`` produces a simulated
backlog to a new topic, lets each projection catch up from offset 0 in this
process and prints events per second; then replays one projection into a new
version and prints the replay's duration, then replays it again with more
processes (``--processes``, default 2: ``replay(processes=N)``). Beside them,
the ceiling: how fast a plain consumer in this process reads the same topic to
its end with no processing at all, and each rate as a share of it; and the CPU
time this process (and a replay's extra processes) spent per event in each
phase (steadier than the rates on a machine shared with other work). Figures,
never assertions.
"""

import argparse
import asyncio
import os
import time
from uuid import uuid4

import psycopg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from contracts import encode_event, partition_key
from infra.db import libpq_dsn
from projections.ops.replay import replay
from projections.runtime.projectors import run_projectors
from projections.testing.harness import deployment_for, produce, wait_consumed
from projections.testing.simulation import Simulation


def _cpu() -> float:
    """CPU seconds of this process and of its children waited for (a replay's extra processes)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


async def bench(
    events: int, partitions: int, database_url: str, bootstrap: str, extra_processes: tuple[int, ...] = ()
) -> dict[str, float]:
    topic = await new_topic(bootstrap, partitions)
    figures: dict[str, float] = {}
    try:
        total = await produce_simulated(bootstrap, topic, events)
        figures["events"] = total
        ceiling = await read_to_end(bootstrap, topic, partitions, total)
        figures["plain_consumer_events_per_s"] = ceiling
        for name in ("seat_availability", "dashboard"):
            deployment = deployment_for(name, topic)
            stop = asyncio.Event()
            started, cpu = time.perf_counter(), time.process_time()
            task = asyncio.create_task(run_projectors([deployment], database_url, bootstrap, stop))
            await wait_consumed(database_url, deployment, total, within=3600)
            rate = total / (time.perf_counter() - started)
            figures[f"{name}_catch_up_events_per_s"] = rate
            figures[f"{name}_catch_up_share_of_ceiling_pct"] = 100 * rate / ceiling
            figures[f"{name}_catch_up_cpu_us_per_event"] = 1e6 * (time.process_time() - cpu) / total
            stop.set()
            await task
            for processes in (1, *extra_processes):
                phase = f"{name}_replay" + (f"_{processes}_processes" if processes > 1 else "")
                started, cpu = time.perf_counter(), _cpu()
                await replay(deployment, database_url, bootstrap, processes=processes)
                seconds = time.perf_counter() - started
                figures[f"{phase}_seconds"] = seconds
                figures[f"{phase}_events_per_s"] = total / seconds
                figures[f"{phase}_share_of_ceiling_pct"] = 100 * (total / seconds) / ceiling
                figures[f"{phase}_cpu_us_per_event"] = 1e6 * (_cpu() - cpu) / total
    finally:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            await admin.delete_topics([topic, f"{topic}.dlq"])
        finally:
            await admin.close()
    return figures


async def new_topic(bootstrap: str, partitions: int) -> str:
    """A new event topic of ``partitions`` partitions, with its dead-letter topic; its name."""
    topic = f"bench.proj.{uuid4().hex[:10]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, 1), NewTopic(f"{topic}.dlq", 1, 1)])
    finally:
        await admin.close()
    return topic


async def produce_simulated(bootstrap: str, topic: str, events: int) -> int:
    """Publish ``events`` events of the benchmarks' simulation (one show per 500 events) to ``topic``."""
    sim = Simulation(1, shows=max(10, events // 500))
    while len(sim.events) < events:
        sim.run(10_000)
    return await produce(bootstrap, topic, sim.events[:events])


async def read_to_end(bootstrap: str, topic: str, partitions: int, total: int) -> float:
    """Events per second of a plain consumer (no group, no decoding, no database) reading ``topic``
    from its beginning until ``total`` records arrived: the ceiling a projector can approach."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        assigned = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        started, seen = time.perf_counter(), 0
        while seen < total:
            batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
            seen += sum(len(records) for records in batches.values())
        return total / (time.perf_counter() - started)
    finally:
        await consumer.stop()


async def visibility(database_url: str, bootstrap: str, events: int = 300) -> dict[str, float]:
    """Publish → visible in the read model, one event at a time with a live projector (ms)."""
    sim = Simulation(2, shows=20).run(events * 2)
    topic = f"bench.lat.{uuid4().hex[:10]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, 12, 1), NewTopic(f"{topic}.dlq", 1, 1)])
    deployment = deployment_for("seat_availability", topic)
    stop = asyncio.Event()
    task = asyncio.create_task(run_projectors([deployment], database_url, bootstrap, stop, max_records=500))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
    await producer.start()
    samples: list[float] = []
    try:
        async with await psycopg.AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
            table = f'"{deployment.schema_for(1)}".watermarks'
            for _ in range(300):  # the projector creates its version on start
                cur = await conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table,))
                if (await cur.fetchone()) == (True,):
                    break
                await asyncio.sleep(0.1)
            for envelope in sim.events[:events]:
                started = time.perf_counter()
                await producer.send_and_wait(
                    topic, encode_event(envelope), key=partition_key(envelope.stream_id)
                )
                while True:
                    cur = await conn.execute(
                        f'SELECT seq FROM "{deployment.schema_for(1)}".watermarks WHERE show_id = %s',
                        (envelope.stream_id,),
                    )
                    row = await cur.fetchone()
                    if row is not None and row[0] >= envelope.seq:
                        break
                    await asyncio.sleep(0.0005)
                samples.append((time.perf_counter() - started) * 1000)
    finally:
        await producer.stop()
        stop.set()
        await task
        await admin.delete_topics([topic, f"{topic}.dlq"])
        await admin.close()
    samples.sort()
    return {
        "visible_p50_ms": samples[len(samples) // 2],
        "visible_p99_ms": samples[int(len(samples) * 0.99) - 1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--partitions", type=int, default=12)
    parser.add_argument(
        "--processes", type=int, nargs="*", default=[2], help="Also replay with these many processes."
    )
    args = parser.parse_args()
    figures = asyncio.run(
        bench(
            args.events,
            args.partitions,
            os.environ["BOXOFFICE_DATABASE_URL"],
            os.environ["BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS"],
            tuple(p for p in args.processes if p > 1),
        )
    )
    figures.update(
        asyncio.run(
            visibility(os.environ["BOXOFFICE_DATABASE_URL"], os.environ["BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS"])
        )
    )
    for key, value in figures.items():
        print(f"{key}: {value:,.1f}")


if __name__ == "__main__":
    main()
