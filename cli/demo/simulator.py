"""The on-sale: a bounded crowd of customers, each playing journeys one after another.

Concurrency is bounded by the number of customers (one task each) and the
request rate by a shared token bucket; both bounds hold for the whole run.
The run stops when ``stop`` is set: customers finish the step they are in,
and any still busy after a short grace period are cancelled.
"""

import asyncio
import contextlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cli.demo.api import BoxofficeClient
from cli.demo.catalog import Catalog
from cli.demo.journey import Behaviour, Journey, plan_journey
from cli.demo.stats import DemoStats

STOP_GRACE_SECONDS = 3.0
SOLD_OUT_PAUSE_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    customers: int = 40
    seed: int = 7
    behaviour: Behaviour = field(default_factory=Behaviour)


@dataclass(frozen=True, slots=True)
class _Crowd:
    client: BoxofficeClient
    catalog: Catalog
    config: SimulationConfig
    stats: DemoStats
    stop: asyncio.Event
    clock: Callable[[], float]


async def _customer(crowd: _Crowd, index: int) -> None:
    try:
        await _journeys(crowd, index)
    except Exception:
        crowd.stop.set()  # a bug must end the run visibly rather than leave a silent, smaller crowd
        raise


async def _journeys(crowd: _Crowd, index: int) -> None:
    rng = random.Random(crowd.config.seed * 100_003 + index)
    behaviour = crowd.config.behaviour
    while not crowd.stop.is_set():
        plan = plan_journey(rng, behaviour, crowd.catalog, crowd.clock())
        if plan is None:
            crowd.stats.journeys["waited: sold out"] += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(crowd.stop.wait(), SOLD_OUT_PAUSE_SECONDS)
            continue
        journey = Journey(
            crowd.client,
            plan,
            rng=rng,
            stats=crowd.stats,
            catalog=crowd.catalog,
            clock=crowd.clock,
            think_seconds=behaviour.think_seconds,
        )
        crowd.stats.journeys[await journey.run()] += 1


async def run_on_sale(
    client: BoxofficeClient,
    catalog: Catalog,
    config: SimulationConfig,
    stats: DemoStats,
    stop: asyncio.Event,
    *,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Run ``config.customers`` concurrent customers until ``stop`` is set."""
    crowd = _Crowd(client, catalog, config, stats, stop, clock)
    tasks = [asyncio.create_task(_customer(crowd, i), name=f"customer-{i}") for i in range(config.customers)]
    try:
        await stop.wait()
        _, pending = await asyncio.wait(tasks, timeout=STOP_GRACE_SECONDS)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    finally:
        for task in tasks:
            task.cancel()
    for task in tasks:
        # HTTP outcomes never raise; an exception here is a bug in the simulator, so surface it.
        failure = None if task.cancelled() else task.exception()
        if failure is not None:
            raise failure
