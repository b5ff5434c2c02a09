"""Replay in several processes (``--processes N``): the partitions split among them, the rows the
same as one process builds, and a replay killed mid-way resumed without loss or duplication."""

import asyncio
import contextlib
import signal
from pathlib import Path
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from projections.ops import replay as replay_module
from projections.ops import replay_processes
from projections.ops.replay import replay
from projections.runtime.projection import Deployment
from projections.testing.harness import (
    assert_dashboard_matches,
    assert_seats_match,
    consumed,
    deployment_for,
    kill,
    query,
    start_projector_process,
    version_states,
)
from tests.integration.projections.projectors import backlog, project

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def extra_processes(deployment: Deployment) -> list[int]:
    """Pids of the running extra processes of a replay of ``deployment`` (``--join-replay``)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            argv = cmdline.read_bytes().split(b"\0")
            if b"--join-replay" in argv and deployment.registry_name.encode() in argv:
                pids.append(int(cmdline.parent.name))
    return pids


async def most_members(bootstrap: str, group: str, until: "asyncio.Task[object]") -> int:
    """The most members the consumer group ``group`` had at once, seen until ``until`` is done."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    most = 0
    try:
        while not until.done():
            for response in await admin.describe_consumer_groups([group]):
                for described in response.groups:
                    most = max(most, len(described[5]))  # (error, group, state, type, protocol, members)
            await asyncio.sleep(0.1)
    finally:
        await admin.close()
    return most


async def group_of(database_url: str, deployment: Deployment, version: int) -> str:
    """The consumer group of ``version`` (registered as the replay starts it)."""
    for _ in range(300):
        rows = query(
            database_url,
            "SELECT consumer_group FROM projection_meta.versions WHERE projection = %s AND version = %s",
            (deployment.registry_name, version),
        )
        if rows:
            return str(rows[0][0])
        await asyncio.sleep(0.05)
    raise AssertionError(f"version {version} of {deployment.registry_name} was never registered")


async def test_a_replay_in_two_processes_equals_the_serving_version(
    database_url: str, kafka_bootstrap: str, topic: str
) -> None:
    sim, total = await backlog(kafka_bootstrap, topic, 51, shows=40, steps=30_000)
    seats, dashboard = deployment_for("seat_availability", topic), deployment_for("dashboard", topic)
    await project([seats, dashboard], database_url, kafka_bootstrap, total)
    truth = sim.truth()
    for deployment in (seats, dashboard):
        task = asyncio.create_task(
            replay(deployment, database_url, kafka_bootstrap, verify=True, max_records=300, processes=2)
        )
        members = await most_members(kafka_bootstrap, await group_of(database_url, deployment, 2), task)
        outcome = await task
        assert outcome.new.version == 2
        assert members == 2  # both processes consumed in the version's group
        assert version_states(database_url, deployment) == {1: "retired", 2: "live"}
        assert consumed(database_url, deployment, 2) == total
        assert not extra_processes(deployment)  # stopped with the replay
    assert_seats_match(database_url, seats, truth)
    assert_dashboard_matches(database_url, dashboard, truth)


async def test_a_replay_in_two_processes_killed_midway_is_resumed_exactly(
    database_url: str, kafka_bootstrap: str, topic: str
) -> None:
    sim, total = await backlog(kafka_bootstrap, topic, 53, shows=40, steps=30_000)
    deployment = deployment_for("seat_availability", topic)
    await project([deployment], database_url, kafka_bootstrap, total)
    truth = sim.truth()

    process = start_projector_process(
        database_url, kafka_bootstrap, deployment, "--replay", "--processes", "2", "--max-records", "200"
    )
    try:
        while consumed(database_url, deployment, 2) < total // 5:
            assert process.poll() is None, "the replay ended before it could be interrupted"
            await asyncio.sleep(0.1)
        assert extra_processes(deployment), "the replay started no extra process"
    finally:
        kill(process, signal.SIGKILL)
    for _ in range(300):  # its extra process sees the replay's process gone and stops by itself
        if not extra_processes(deployment):
            break
        await asyncio.sleep(0.1)
    assert not extra_processes(deployment)
    assert consumed(database_url, deployment, 2) < total
    assert version_states(database_url, deployment) == {1: "live", 2: "building"}
    assert_seats_match(database_url, deployment, truth)  # the serving version, untouched

    outcome = await replay(deployment, database_url, kafka_bootstrap, resume=True, verify=True, processes=2)
    assert outcome.new.version == 2
    assert version_states(database_url, deployment) == {1: "retired", 2: "live"}
    assert consumed(database_url, deployment, 2) == total
    assert_seats_match(database_url, deployment, truth)


async def test_a_replay_whose_extra_processes_fail_to_start_cleans_up_and_can_resume(
    database_url: str, kafka_bootstrap: str, topic: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Starting the extra processes is inside the replay's clean-up: the dead-letter sink is closed,
    no runner is left consuming, and the version stays building for ``--resume``."""
    sim, total = await backlog(kafka_bootstrap, topic, 57, shows=10, steps=2_000)
    deployment = deployment_for("seat_availability", topic)
    await project([deployment], database_url, kafka_bootstrap, total)
    closed: list[bool] = []
    real_runner = replay_processes.version_runner

    def spying_runner(*args: Any) -> Any:
        runner, sink = real_runner(*args)
        close = sink.close

        async def recorded_close() -> None:
            closed.append(True)
            await close()

        sink.close = recorded_close  # type: ignore[method-assign]
        return runner, sink

    async def failing_start(*args: Any, **kwargs: Any) -> list[Any]:
        raise OSError("cannot start a process")

    monkeypatch.setattr(replay_module, "version_runner", spying_runner)
    monkeypatch.setattr(replay_module, "start_processes", failing_start)
    with pytest.raises(OSError, match="cannot start a process"):
        await replay(deployment, database_url, kafka_bootstrap, processes=2)
    assert closed == [True]
    assert version_states(database_url, deployment) == {1: "live", 2: "building"}
    assert consumed(database_url, deployment, 2) == 0
    monkeypatch.undo()
    outcome = await replay(deployment, database_url, kafka_bootstrap, resume=True, verify=True)
    assert outcome.new.version == 2
    assert_seats_match(database_url, deployment, sim.truth())
