"""Several projections replayed at once, a process each (``replay --all``): both swapped and equal to
the serving versions, a killed child's replay resumable while the other finishes, and an interrupted
run stopping every child with each replay left for ``--resume``."""

import asyncio
import os
import signal

import pytest

from projections.ops.replay import ReplayOutcome, replay
from projections.ops.replay_concurrent import ReplayFailure, ReplayOptions, replay_concurrently
from projections.runtime.projection import Deployment
from projections.testing import Truth
from projections.testing.harness import (
    assert_dashboard_matches,
    assert_seats_match,
    consumed,
    deployment_for,
    version_states,
)
from tests.integration.projections.projectors import backlog, project

pytestmark = [pytest.mark.integration, pytest.mark.slow]


class Interrupted(Exception):
    """Raised from a progress report, as a Ctrl-C would interrupt the parent mid-way."""


async def both_projected(
    database_url: str, kafka_bootstrap: str, topic: str, seed: int
) -> tuple[Deployment, Deployment, int, Truth]:
    sim, total = await backlog(kafka_bootstrap, topic, seed, shows=40, steps=30_000)
    seats, dashboard = deployment_for("seat_availability", topic), deployment_for("dashboard", topic)
    await project([seats, dashboard], database_url, kafka_bootstrap, total)
    return seats, dashboard, total, sim.truth()


def assert_swapped_exactly(
    database_url: str, seats: Deployment, dashboard: Deployment, total: int, truth: Truth
) -> None:
    """Both replays swapped in, each having consumed the whole log, and equal to the truth."""
    for deployment in (seats, dashboard):
        assert version_states(database_url, deployment) == {1: "retired", 2: "live"}
        assert consumed(database_url, deployment, 2) == total
    assert_seats_match(database_url, seats, truth)
    assert_dashboard_matches(database_url, dashboard, truth)


async def test_both_projections_replayed_at_once_are_swapped_and_exact(
    database_url: str, kafka_bootstrap: str, topic: str
) -> None:
    seats, dashboard, total, truth = await both_projected(database_url, kafka_bootstrap, topic, 61)
    pids: dict[str, int] = {}
    progressed: set[str] = set()

    results = await asyncio.to_thread(
        replay_concurrently,
        [seats, dashboard],
        database_url,
        kafka_bootstrap,
        ReplayOptions(verify=True, max_records=300),
        on_start=pids.__setitem__,
        on_progress=lambda name, done, total: progressed.add(name),
    )
    assert [r.projection for r in results] == [seats.registry_name, dashboard.registry_name]
    assert all(isinstance(r, ReplayOutcome) and r.new.version == 2 for r in results), results
    assert len(set(pids.values()) | {os.getpid()}) == 3  # each in a process of its own
    assert progressed == {seats.registry_name, dashboard.registry_name}
    assert_swapped_exactly(database_url, seats, dashboard, total, truth)


async def test_a_killed_child_leaves_its_replay_resumable_and_the_other_finishes(
    database_url: str, kafka_bootstrap: str, topic: str
) -> None:
    seats, dashboard, total, truth = await both_projected(database_url, kafka_bootstrap, topic, 63)
    pids: dict[str, int] = {}
    killed: list[int] = []

    def kill_seats_midway(name: str, done: int, _total: int) -> None:
        if name == seats.registry_name and done >= total // 5 and not killed:
            os.kill(pids[name], signal.SIGKILL)
            killed.append(done)

    results = await asyncio.to_thread(
        replay_concurrently,
        [seats, dashboard],
        database_url,
        kafka_bootstrap,
        ReplayOptions(verify=True, max_records=200),
        on_start=pids.__setitem__,
        on_progress=kill_seats_midway,
    )
    assert killed, "the seat replay ended before it could be killed"
    failure, outcome = results
    assert isinstance(failure, ReplayFailure)
    assert str(-signal.SIGKILL) in failure.reason
    assert isinstance(outcome, ReplayOutcome)
    assert outcome.new.version == 2
    assert version_states(database_url, seats) == {1: "live", 2: "building"}
    assert consumed(database_url, seats, 2) < total
    assert_seats_match(database_url, seats, truth)  # the serving version, untouched

    resumed = await replay(seats, database_url, kafka_bootstrap, resume=True, verify=True)
    assert resumed.new.version == 2
    assert_swapped_exactly(database_url, seats, dashboard, total, truth)


async def test_an_interrupted_run_stops_every_child_and_each_replay_resumes(
    database_url: str, kafka_bootstrap: str, topic: str
) -> None:
    seats, dashboard, total, truth = await both_projected(database_url, kafka_bootstrap, topic, 67)
    pids: dict[str, int] = {}

    def interrupt_once_both_run(name: str, done: int, _total: int) -> None:
        if all(consumed(database_url, d, 2) > 0 for d in (seats, dashboard)):
            raise Interrupted

    with pytest.raises(Interrupted):
        await asyncio.to_thread(
            replay_concurrently,
            [seats, dashboard],
            database_url,
            kafka_bootstrap,
            ReplayOptions(max_records=200),
            on_start=pids.__setitem__,
            on_progress=interrupt_once_both_run,
        )
    for pid in pids.values():  # every child ended (and was reaped) before the interruption went on
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    for deployment in (seats, dashboard):
        assert version_states(database_url, deployment) == {1: "live", 2: "building"}
        assert 0 < consumed(database_url, deployment, 2) < total

    results = await asyncio.to_thread(
        replay_concurrently,
        [seats, dashboard],
        database_url,
        kafka_bootstrap,
        ReplayOptions(resume=True, verify=True),
    )
    assert all(isinstance(r, ReplayOutcome) and r.new.version == 2 for r in results), results
    assert_swapped_exactly(database_url, seats, dashboard, total, truth)
