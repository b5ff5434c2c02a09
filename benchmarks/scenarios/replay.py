"""Replay: a fresh version of both projections consumes the whole private topic from offset 0.

One new projector process per projection registers it under a new name (so
new schemas, new consumer groups, views in a schema of their own) and starts at
offset 0, exactly as a replay's version N+1 does; the serving version keeps
running meanwhile. One process each, as two operators' ``boxoffice projections
replay NAME`` would run side by side: in one process the two folds would share
one core. Measured from the processes' start to both checkpoints reaching the
topic's end offsets.

Just before, the ceiling of the same run: how fast a plain consumer (no group,
no decoding, no database: ``projections.testing.bench.read_to_end``) reads the
same topic from its beginning to those end offsets; the replay is reported as
a share of it.
"""

import asyncio
import time
from typing import Any

from benchmarks.datagen.catchup import wait_caught_up
from benchmarks.environment import BenchEnv
from benchmarks.stack import Stack
from contracts import EVENTS_TOPIC_PARTITIONS
from projections.catalog import PROJECTIONS
from projections.runtime.topic_offsets import end_offsets
from projections.testing.bench import read_to_end

REPLAY_VIEWS = "bench_replay"


async def measure_ceiling(bootstrap: str, topic: str, events: int, limit_s: float) -> float:
    """Events per second of a plain consumer reading ``topic`` (``events`` records) from its beginning."""
    return await asyncio.wait_for(read_to_end(bootstrap, topic, EVENTS_TOPIC_PARTITIONS, events), limit_s)


async def measure_replay(env: BenchEnv, stack: Stack, limit_s: float) -> dict[str, Any]:
    ends = await end_offsets(env.kafka_bootstrap, env.topic)
    events = sum(ends.values())
    ceiling = await measure_ceiling(env.kafka_bootstrap, env.topic, events, limit_s)
    prefix = f"{env.registry_prefix}r"
    children = {f"replay-{name}": name for name in sorted(PROJECTIONS)}
    started = time.monotonic()
    for child, name in children.items():
        args = ("--views-schema", REPLAY_VIEWS, "--projection", name)
        stack.start_projector(child, *args, registry_prefix=prefix)
    try:
        await wait_caught_up(
            env.database_url,
            [f"{prefix}_{n}" for n in PROJECTIONS],
            ends,
            limit_s,
            check=lambda: stack.check_alive(*children),
        )
    finally:
        for child in children:
            stack.stop(child)
    seconds = time.monotonic() - started
    rate = events / seconds if seconds > 0 else 0.0
    return {
        "events": events,
        "projections": sorted(PROJECTIONS),
        "processes": len(children),
        "seconds": round(seconds, 2),
        "events_per_s": round(rate, 1),
        "ceiling_events_per_s": round(ceiling, 1),
        "share_of_ceiling_pct": round(100 * rate / ceiling, 1) if ceiling > 0 else 0.0,
    }
