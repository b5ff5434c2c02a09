"""Replay: N+1 built while N serves under reads and writes, swapped with no gap; interrupted
replays resumed or abandoned without touching the serving version."""

import asyncio
import signal

import psycopg
import pytest

from infra.db import libpq_dsn
from projections.ops.replay import ReplayError, abandon, replay
from projections.runtime.projection import Deployment
from projections.testing import Simulation
from projections.testing.harness import (
    assert_seats_match,
    consumed,
    deployment_for,
    kill,
    produce,
    query,
    start_projector_process,
    version_states,
    wait_consumed,
)
from tests.integration.projections.projectors import backlog, project, projecting

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def schema_exists(database_url: str, schema: str) -> bool:
    return bool(query(database_url, "SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)))


async def serving(
    database_url: str, kafka_bootstrap: str, topic: str, seed: int, *, shows: int, steps: int
) -> tuple[Simulation, Deployment, int]:
    """What a replay starts from: version 1 of seat availability live and caught up with a simulated
    backlog on ``topic``, its projector stopped; the simulation, the deployment and the backlog's size."""
    sim, total = await backlog(kafka_bootstrap, topic, seed, shows=shows, steps=steps)
    deployment = deployment_for("seat_availability", topic)
    await project([deployment], database_url, kafka_bootstrap, total)
    return sim, deployment, total


async def test_replay_under_continuous_reads_and_writes(
    database_url: str, kafka_bootstrap: str, topic: str
) -> None:
    sim, sent = await backlog(kafka_bootstrap, topic, 41, shows=30, steps=15_000)
    deployment = deployment_for("seat_availability", topic)
    writing = asyncio.Event()
    failures: list[str] = []
    reads = 0

    async def writer() -> None:
        nonlocal sent
        while not writing.is_set():
            before = len(sim.events)
            sim.run(40)
            sent += await produce(kafka_bootstrap, topic, sim.events[before:])
            await asyncio.sleep(0.05)

    async def reader() -> None:
        nonlocal reads
        views = deployment.views_schema
        async with await psycopg.AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
            while not writing.is_set():
                try:
                    cur = await conn.execute(
                        f'SELECT count(DISTINCT s.show_id), count(*) FROM "{views}".seat_availability_seats s'
                        f' JOIN "{views}".seat_availability_shows USING (show_id)'
                    )
                    shows, seats = (await cur.fetchall())[0]
                    if shows != len(sim.shows) or seats != len(sim.shows) * 48:
                        failures.append(f"partial model: {shows} shows, {seats} seats")
                except psycopg.Error as exc:
                    failures.append(repr(exc))
                reads += 1
                await asyncio.sleep(0.005)

    async with projecting([deployment], database_url, kafka_bootstrap):
        await wait_consumed(database_url, deployment, sent)
        tasks = [asyncio.create_task(writer()), asyncio.create_task(reader())]
        progress: list[tuple[int, int]] = []
        outcome = await replay(
            deployment,
            database_url,
            kafka_bootstrap,
            verify=True,
            max_records=2_000,
            on_progress=lambda done, total: progress.append((done, total)),
        )
        await asyncio.sleep(0.5)  # keep reading and writing across the swap
        writing.set()
        await asyncio.gather(*tasks)
        await wait_consumed(database_url, deployment, sent, version=2)
    assert outcome.new.version == 2
    assert outcome.dropped_old
    assert not failures, failures[:5]
    assert reads > 50
    assert progress
    assert all(done <= total for done, total in progress)
    assert progress[-1][0] > 0
    assert version_states(database_url, deployment) == {1: "retired", 2: "live"}
    assert not schema_exists(database_url, deployment.schema_for(1))
    assert_seats_match(database_url, deployment, sim.truth())


async def test_interrupted_replay_resumed_then_another_abandoned(
    database_url: str, kafka_bootstrap: str, topic: str
) -> None:
    sim, deployment, total = await serving(database_url, kafka_bootstrap, topic, 43, shows=40, steps=30_000)
    truth = sim.truth()

    for attempt in (2, 3):
        process = start_projector_process(
            database_url, kafka_bootstrap, deployment, "--replay", "--max-records", "200"
        )
        try:
            while consumed(database_url, deployment, attempt) < total // 5:
                assert process.poll() is None, "the replay ended before it could be interrupted"
                await asyncio.sleep(0.1)
        finally:
            kill(process, signal.SIGKILL)
        assert consumed(database_url, deployment, attempt) < total
        assert version_states(database_url, deployment)[attempt] == "building"
        assert version_states(database_url, deployment)[attempt - 1] == "live"
        assert_seats_match(database_url, deployment, truth)  # the serving version, untouched
        if attempt == 2:
            outcome = await replay(deployment, database_url, kafka_bootstrap, resume=True, verify=True)
            assert outcome.new.version == 2
            assert version_states(database_url, deployment) == {1: "retired", 2: "live"}
        else:
            dropped = await abandon(deployment, database_url)
            assert dropped.version == 3
            assert version_states(database_url, deployment) == {1: "retired", 2: "live", 3: "abandoned"}
            assert not schema_exists(database_url, deployment.schema_for(3))
        assert_seats_match(database_url, deployment, truth)


async def test_verify_refuses_to_swap_a_version_that_differs(
    database_url: str, kafka_bootstrap: str, topic: str
) -> None:
    _, deployment, _ = await serving(database_url, kafka_bootstrap, topic, 47, shows=3, steps=300)
    # Damage the serving version behind the projector's back: the rebuild will not agree with it.
    (seat,) = query(database_url, f'SELECT seat_id FROM "{deployment.schema_for(1)}".seats LIMIT 1')
    with psycopg.connect(libpq_dsn(database_url), autocommit=True) as conn:
        conn.execute(
            f"UPDATE \"{deployment.schema_for(1)}\".seats SET status = 'sold' WHERE seat_id = %s", seat
        )
    with pytest.raises(ReplayError) as refused:
        await replay(deployment, database_url, kafka_bootstrap, verify=True)
    assert "seat_availability_seats" in str(refused.value)
    assert seat[0] in str(refused.value)
    assert version_states(database_url, deployment) == {1: "live", 2: "building"}
    await abandon(deployment, database_url)
    assert version_states(database_url, deployment) == {1: "live", 2: "abandoned"}
