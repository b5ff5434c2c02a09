"""The worker's relay metrics: latency per acked event, published count, backlog zeroed when drained."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from prometheus_client import generate_latest

from command_side.worker.metrics import WorkerMetrics
from command_side.worker.outbox_rows import StoredEvent
from tests.support.metrics import Samples


def event(age_seconds: float) -> StoredEvent:
    return StoredEvent(1, uuid4(), 1, b"{}", datetime.now(UTC) - timedelta(seconds=age_seconds))


def test_a_draining_pass_observes_each_event_and_zeroes_the_backlog() -> None:
    metrics = WorkerMetrics()
    metrics.backlog_rows.set(7)
    metrics.backlog_age.set(3.5)
    metrics.relayed([event(2.0), event(0.0)], drained=False)  # a full batch: more may be waiting
    partial = Samples(generate_latest(metrics.registry).decode())
    assert partial.value("boxoffice_outbox_backlog_rows") == 7
    assert partial.value("boxoffice_relay_published_events_total") == 2
    assert partial.value("boxoffice_relay_publish_seconds_count") == 2
    assert partial.value("boxoffice_relay_publish_seconds_sum") >= 2.0
    assert partial.value("boxoffice_relay_publish_seconds_bucket", le="1.0") == 1
    metrics.relayed([], drained=True)
    drained = Samples(generate_latest(metrics.registry).decode())
    assert drained.value("boxoffice_outbox_backlog_rows") == 0
    assert drained.value("boxoffice_outbox_backlog_age_seconds") == 0
    assert drained.value("boxoffice_relay_published_events_total") == 2


def test_expiries_are_counted_per_kind_and_every_kind_is_exposed_from_the_start() -> None:
    metrics = WorkerMetrics()
    metrics.expired("order")
    samples = Samples(generate_latest(metrics.registry).decode())
    assert samples.value("boxoffice_expiries_total", kind="order") == 1
    assert ("boxoffice_expiries_total", frozenset({("kind", "hold")})) in samples.values
    assert samples.value("boxoffice_relay_leader") == 0
