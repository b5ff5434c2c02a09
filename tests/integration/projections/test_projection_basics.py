"""A projector consuming a private topic: exact read models, duplicates counted once."""

import pytest
from prometheus_client import REGISTRY

from projections.ops.status import collect_status
from projections.testing import Simulation
from projections.testing.harness import (
    assert_dashboard_matches,
    assert_seats_match,
    deployment_for,
    produce,
    query,
)
from tests.integration.projections.projectors import project

pytestmark = pytest.mark.integration


async def test_both_projections_match_the_write_side_and_duplicates_count_once(
    database_url: str, kafka_bootstrap: str, topic: str
) -> None:
    sim = Simulation(seed=7, shows=4).run(400)
    # Every event published twice, as a relay that crashed after sending would do.
    total = await produce(kafka_bootstrap, topic, [e for e in sim.events for _ in range(2)])
    seats, dashboard = deployment_for("seat_availability", topic), deployment_for("dashboard", topic)
    await project([seats, dashboard], database_url, kafka_bootstrap, total)
    truth = sim.truth()
    assert_seats_match(database_url, seats, truth)
    assert_dashboard_matches(database_url, dashboard, truth)
    duplicates = REGISTRY.get_sample_value(
        "boxoffice_projection_events_total", {"projection": seats.registry_name, "outcome": "duplicate"}
    )
    assert duplicates == len(sim.events)
    (status,) = await collect_status(database_url, kafka_bootstrap, [seats.registry_name], sample_seconds=0)
    assert (status.state, status.consumed, status.total, status.lag_events) == ("live", total, total, 0)
    assert status.dead_letters == status.quarantined_shows == 0
    live = query(
        database_url,
        "SELECT state FROM projection_meta.versions WHERE projection = %s",
        (seats.registry_name,),
    )
    assert live == [("live",)]
