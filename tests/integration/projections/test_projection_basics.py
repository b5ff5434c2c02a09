"""A projector consuming a private topic: exact read models, duplicates counted once."""

import asyncio

import pytest

from projections.runtime.supervisor import run_projectors
from projections.testing import Simulation
from projections.testing.harness import (
    assert_dashboard_matches,
    assert_seats_match,
    deployment_for,
    produce,
    query,
    wait_consumed,
)

pytestmark = pytest.mark.integration


async def test_both_projections_match_the_write_side_and_duplicates_count_once(
    database_url: str, kafka_bootstrap: str, topic: str
) -> None:
    sim = Simulation(seed=7, shows=4).run(400)
    # Every event published twice, as a relay that crashed after sending would do.
    total = await produce(kafka_bootstrap, topic, [e for e in sim.events for _ in range(2)])
    seats, dashboard = deployment_for("seat_availability", topic), deployment_for("dashboard", topic)
    stop = asyncio.Event()
    task = asyncio.create_task(run_projectors([seats, dashboard], database_url, kafka_bootstrap, stop))
    try:
        await wait_consumed(database_url, seats, total)
        await wait_consumed(database_url, dashboard, total)
    finally:
        stop.set()
        await task
    truth = sim.truth()
    assert_seats_match(database_url, seats, truth)
    assert_dashboard_matches(database_url, dashboard, truth)
    live = query(
        database_url,
        "SELECT state FROM projection_meta.versions WHERE projection = %s",
        (seats.registry_name,),
    )
    assert live == [("live",)]
