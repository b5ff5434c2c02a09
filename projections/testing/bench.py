"""Catch-up and replay throughput of the projectors, measured on a private topic.

``python -m projections.testing.bench --events 200000`` produces a simulated
backlog to a new topic, lets each projection catch up from offset 0 in this
process and prints events per second; then replays one projection into a new
version and prints the replay's duration. Figures, never assertions.
"""

import argparse
import asyncio
import os
import time
from uuid import uuid4

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from projections.ops.replay import replay
from projections.runtime.supervisor import run_projectors
from projections.testing.harness import deployment_for, produce, wait_consumed
from projections.testing.simulation import Simulation


async def bench(events: int, partitions: int, database_url: str, bootstrap: str) -> dict[str, float]:
    sim = Simulation(1, shows=max(10, events // 500))
    while len(sim.events) < events:
        sim.run(10_000)
    topic = f"bench.proj.{uuid4().hex[:10]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, partitions, 1), NewTopic(f"{topic}.dlq", 1, 1)])
    figures: dict[str, float] = {}
    try:
        total = await produce(bootstrap, topic, sim.events[:events])
        figures["events"] = total
        for name in ("seat_availability", "dashboard"):
            deployment = deployment_for(name, topic)
            stop = asyncio.Event()
            started = time.perf_counter()
            task = asyncio.create_task(run_projectors([deployment], database_url, bootstrap, stop))
            await wait_consumed(database_url, deployment, total, within=3600)
            figures[f"{name}_catch_up_events_per_s"] = total / (time.perf_counter() - started)
            stop.set()
            await task
            started = time.perf_counter()
            await replay(deployment, database_url, bootstrap)
            figures[f"{name}_replay_seconds"] = time.perf_counter() - started
    finally:
        await admin.delete_topics([topic, f"{topic}.dlq"])
        await admin.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--partitions", type=int, default=12)
    args = parser.parse_args()
    figures = asyncio.run(
        bench(
            args.events,
            args.partitions,
            os.environ["BOXOFFICE_DATABASE_URL"],
            os.environ["BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS"],
        )
    )
    for key, value in figures.items():
        print(f"{key}: {value:,.1f}")


if __name__ == "__main__":
    main()
