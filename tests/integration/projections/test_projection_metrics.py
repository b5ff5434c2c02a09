"""A projector's /metrics: every committed batch is observed in the batch size and apply histograms."""

from collections.abc import Iterator

import pytest
from prometheus_client import start_http_server

from projections.testing import Simulation
from projections.testing.harness import deployment_for, produce
from tests.integration.projections.projectors import project
from tests.support.metrics import Samples, scrape
from tests.support.processes import free_port

pytestmark = pytest.mark.integration
MAX_RECORDS = 25


@pytest.fixture
def metrics_url() -> Iterator[str]:
    """This process's default registry on /metrics, as ``boxoffice projector --metrics-port`` serves it."""
    port = free_port()
    server, thread = start_http_server(port, addr="127.0.0.1")
    yield f"http://127.0.0.1:{port}/metrics"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


async def test_batches_are_observed_in_size_and_apply_duration(
    database_url: str, kafka_bootstrap: str, topic: str, metrics_url: str
) -> None:
    sim = Simulation(seed=11, shows=3).run(150)
    total = await produce(kafka_bootstrap, topic, sim.events)
    seats = deployment_for("seat_availability", topic)
    name = seats.registry_name
    before = scrape(metrics_url)
    await project([seats], database_url, kafka_bootstrap, total, max_records=MAX_RECORDS)
    after = scrape(metrics_url)

    def moved(sample: str, samples: tuple[Samples, Samples] = (before, after)) -> float:
        return samples[1].value(sample, projection=name) - samples[0].value(sample, projection=name)

    batches = moved("boxoffice_projection_batch_events_count")
    assert batches >= total / MAX_RECORDS  # no batch is larger than max_records
    assert moved("boxoffice_projection_batch_events_sum") == total  # each event in one committed batch
    assert moved("boxoffice_projection_apply_seconds_count") == batches
    assert moved("boxoffice_projection_apply_seconds_sum") > 0
    over = after.value("boxoffice_projection_batch_events_bucket", projection=name, le="+Inf")
    within = after.value("boxoffice_projection_batch_events_bucket", projection=name, le="25.0")
    assert over == within  # every batch had at most MAX_RECORDS events
    applied = after.value("boxoffice_projection_events_total", projection=name, outcome="applied")
    assert applied == total
