"""Projector processes killed with SIGKILL mid-stream: the read models stay exact."""

import asyncio
import functools
import random
import signal
from collections.abc import Callable

import pytest

from projections.runtime.projection import Deployment
from projections.testing.harness import (
    assert_dashboard_matches,
    assert_seats_match,
    consumed,
    deployment_for,
    kill,
    start_projector_process,
    wait_consumed,
)
from tests.integration.projections.projectors import backlog

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def slowest_reached(database_url: str, deployments: list[Deployment], target: float) -> bool:
    return min(consumed(database_url, d) for d in deployments) >= target


async def wait_for(condition: Callable[[], bool], within: float = 120.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the projectors made no progress")
        await asyncio.sleep(0.01)


async def test_sigkill_at_random_points_of_a_large_backlog(
    database_url: str, kafka_bootstrap: str, topic: str
) -> None:
    sim, total = await backlog(kafka_bootstrap, topic, 21, shows=60, steps=40_000)
    assert total > 20_000
    deployments = [deployment_for("seat_availability", topic), deployment_for("dashboard", topic)]
    rng = random.Random(5)
    progress = []
    for round_ in range(4):
        procs = [
            start_projector_process(database_url, kafka_bootstrap, d, "--max-records", "300")
            for d in deployments
        ]
        # Kill at a random point of the backlog, however fast this machine consumes it:
        # once the slower projection has passed a random share of its round's stretch.
        target = total * (round_ + rng.uniform(0.2, 0.8)) / 5
        await wait_for(functools.partial(slowest_reached, database_url, deployments, target))
        for p in procs:
            kill(p, signal.SIGKILL)
        progress.append([consumed(database_url, d) for d in deployments])
    procs = [start_projector_process(database_url, kafka_bootstrap, d) for d in deployments]
    try:
        for d in deployments:
            await wait_consumed(database_url, d, total)
    finally:
        for p in procs:
            kill(p, signal.SIGTERM)
    # The kills must have hit mid-stream for the test to mean anything.
    assert any(0 < n < total for counts in progress for n in counts), progress
    truth = sim.truth()
    assert_seats_match(database_url, deployments[0], truth)
    assert_dashboard_matches(database_url, deployments[1], truth)


async def test_two_instances_share_partitions_and_one_is_killed(
    database_url: str, kafka_bootstrap: str, topic: str
) -> None:
    sim, total = await backlog(kafka_bootstrap, topic, 31, shows=40, steps=20_000)
    deployment = deployment_for("dashboard", topic)
    first, second = (
        start_projector_process(database_url, kafka_bootstrap, deployment, "--max-records", "100")
        for _ in range(2)
    )
    try:
        await wait_consumed(database_url, deployment, total // 4)
        kill(first, signal.SIGKILL)
        await wait_consumed(database_url, deployment, total)
    finally:
        kill(first, signal.SIGKILL)
        kill(second, signal.SIGTERM)
    assert_dashboard_matches(database_url, deployment, sim.truth())
