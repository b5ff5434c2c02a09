"""Growing the data set step by step: generate, COPY, publish, wait for the projections.

Slices of at most ``CHUNK_ORDERS`` orders bound the memory a step needs; the
projectors consume while later slices load, as they would in production.
Generating the next slice overlaps loading the current one (``DataSet.load``).
"""

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from uuid import UUID

import psycopg

from benchmarks.datagen.catchup import wait_caught_up
from benchmarks.datagen.generate import HistoryGenerator
from benchmarks.datagen.load import load_slice, publish
from benchmarks.datagen.rows import Slice
from benchmarks.environment import BenchEnv
from infra.db import libpq_dsn
from projections.catalog import PROJECTIONS

CHUNK_ORDERS = 25_000
T = TypeVar("T")


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
        """Generate, COPY and publish slices up to ``orders`` orders in all (the same slices, so the
        same data, as one step after another would give).

        The steps overlap: while slice k is COPYed (a thread) and published (this loop), slice k+1
        is generated (another thread), so at most two slices are held at once. Returns the seconds
        each step was busy in all (together more than the load's wall time, ``load_s``) and ``load_s``.
        """
        busy = {"generate_s": 0.0, "copy_s": 0.0, "publish_s": 0.0}

        async def timed(step: str, work: Awaitable[T]) -> T:
            began = time.monotonic()
            try:
                return await work
            finally:
                busy[step] += time.monotonic() - began

        def generate(index: int) -> asyncio.Task[Slice] | None:
            if index >= len(sizes):
                return None
            return asyncio.create_task(
                timed("generate_s", asyncio.to_thread(self.generator.slice, sizes[index]))
            )

        started = time.monotonic()
        sizes = slice_sizes(orders - self.orders)
        generating = generate(0)
        try:
            for index in range(len(sizes)):
                assert generating is not None
                part = await generating
                generating = generate(index + 1)
                copied = timed("copy_s", asyncio.to_thread(load_slice, self.env.database_url, part))
                published = timed(
                    "publish_s", publish(self.env.kafka_bootstrap, self.env.topic, part.messages)
                )
                _, ends = await asyncio.gather(copied, published)
                for partition, end in ends.items():
                    self.ends[partition] = max(self.ends.get(partition, 0), end)
                self.orders += part.orders
                self.events += part.events
                self.shows.extend(row[0] for row in part.tables["shows"])
        finally:
            if generating is not None:
                generating.cancel()
        return {
            **{step: round(s, 2) for step, s in busy.items()},
            "load_s": round(time.monotonic() - started, 2),
        }

    def sample_shows(self, count: int) -> list[UUID]:
        """The same shows for every design at one step (seeded), spread over the whole data set."""
        rng = random.Random(self.seed + len(self.shows))
        return rng.sample(self.shows, min(count, len(self.shows)))


def slice_sizes(orders: int) -> list[int]:
    """Orders per slice for ``orders`` more orders: ``CHUNK_ORDERS`` each, the rest in the last."""
    return [min(CHUNK_ORDERS, orders - start) for start in range(0, max(orders, 0), CHUNK_ORDERS)]


def analyze(database_url: str) -> None:
    """Fresh statistics for every table of the private database, so both designs get good plans."""
    with psycopg.connect(libpq_dsn(database_url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
