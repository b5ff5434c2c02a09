"""Growing the data set step by step: generate, COPY, publish, wait for the projections.

Slices of at most ``CHUNK_ORDERS`` orders bound the memory a step needs; the
projectors consume while later slices load, as they would in production.
"""

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import psycopg

from benchmarks.datagen.catchup import wait_caught_up
from benchmarks.datagen.generate import HistoryGenerator
from benchmarks.datagen.load import load_slice, publish
from benchmarks.environment import BenchEnv
from infra.db import libpq_dsn
from projections.catalog import PROJECTIONS

CHUNK_ORDERS = 25_000


@dataclass(slots=True)
class DataSet:
    env: BenchEnv
    seed: int
    generator: HistoryGenerator = field(init=False)
    orders: int = 0
    events: int = 0
    shows: list[UUID] = field(default_factory=list)
    ends: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.generator = HistoryGenerator(self.seed)

    @property
    def registries(self) -> list[str]:
        return [f"{self.env.registry_prefix}_{name}" for name in sorted(PROJECTIONS)]

    async def grow_to(self, orders: int, limit_s: float, check: Callable[[], None]) -> dict[str, Any]:
        """Load up to ``orders`` orders in all and wait until the projections have applied them."""
        started = time.monotonic()
        events_before = self.events
        steps = await self.load(orders)
        loaded = time.monotonic()
        lag = await wait_caught_up(self.env.database_url, self.registries, self.ends, limit_s, check=check)
        await asyncio.to_thread(analyze, self.env.database_url)
        events = self.events - events_before
        total = time.monotonic() - started
        return {
            "orders": self.orders,
            "shows": len(self.shows),
            "events": self.events,
            "step_events": events,
            **steps,
            "caught_up_after_load_s": round(lag, 2),
            "step_seconds": round(total, 2),
            "projection_events_per_s": round(events / (loaded - started + lag), 1) if events else 0.0,
        }

    async def load(self, orders: int) -> dict[str, float]:
        """Generate, COPY and publish slices up to ``orders`` orders in all; seconds per step."""
        generate_s = copy_s = publish_s = 0.0
        while self.orders < orders:
            t0 = time.monotonic()
            part = self.generator.slice(min(CHUNK_ORDERS, orders - self.orders))
            t1 = time.monotonic()
            await asyncio.to_thread(load_slice, self.env.database_url, part)
            t2 = time.monotonic()
            ends = await publish(self.env.kafka_bootstrap, self.env.topic, part.messages)  # type: ignore[arg-type]
            t3 = time.monotonic()
            generate_s, copy_s, publish_s = generate_s + t1 - t0, copy_s + t2 - t1, publish_s + t3 - t2
            for partition, end in ends.items():
                self.ends[partition] = max(self.ends.get(partition, 0), end)
            self.orders += part.orders
            self.events += part.events
            self.shows.extend(row[0] for row in part.tables["shows"])
        return {
            "generate_s": round(generate_s, 2),
            "copy_s": round(copy_s, 2),
            "publish_s": round(publish_s, 2),
        }

    def sample_shows(self, count: int) -> list[UUID]:
        """The same shows for every design at one step (seeded), spread over the whole data set."""
        rng = random.Random(self.seed + len(self.shows))
        return rng.sample(self.shows, min(count, len(self.shows)))


def analyze(database_url: str) -> None:
    """Fresh statistics for every table of the private database, so both designs get good plans."""
    with psycopg.connect(libpq_dsn(database_url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
