"""The intake's logic on FastStream's in-memory broker: record, then acknowledge; skip non-events."""

from dataclasses import dataclass, field
from uuid import UUID, uuid4

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker

from contracts.codec import encode_event, new_envelope
from contracts.events import HoldReleased
from webhooks.intake import subscribe
from webhooks.store import IncomingEvent

TOPIC = "boxoffice.events"


@dataclass
class MemoryRecorder:
    """Records deliveries by event id, idempotently, like the table's unique key."""

    events: dict[UUID, IncomingEvent] = field(default_factory=dict)
    fail: bool = False

    async def record(self, event: IncomingEvent) -> int:
        if self.fail:
            raise ConnectionError("database away")
        if event.event_id in self.events:
            return 0
        self.events[event.event_id] = event
        return 1


def event_bytes(seq: int = 2) -> tuple[UUID, UUID, bytes]:
    show_id = uuid4()
    envelope = new_envelope(
        HoldReleased(hold_id=uuid4(), customer_id="cust-1", seat_ids=("A-1-1",), reason="released"),
        stream_id=show_id,
        seq=seq,
        correlation_id=uuid4(),
    )
    return envelope.event_id, show_id, encode_event(envelope)


def wired(recorder: MemoryRecorder) -> tuple[KafkaBroker, list[int]]:
    broker, wakes = KafkaBroker(), []
    subscribe(broker, recorder, topic=TOPIC, group_id="webhooks-test", on_recorded=lambda: wakes.append(1))
    return broker, wakes


async def test_an_event_is_recorded_with_its_raw_bytes_and_lane() -> None:
    recorder = MemoryRecorder()
    broker, wakes = wired(recorder)
    event_id, show_id, raw = event_bytes(seq=7)
    async with TestKafkaBroker(broker) as br:
        await br.publish(raw, TOPIC, key=str(show_id).encode())
    recorded = recorder.events[event_id]
    assert (recorded.body, recorded.show_id, recorded.seq, recorded.event_type) == (
        raw,
        show_id,
        7,
        "HoldReleased",
    )
    assert wakes == [1]


async def test_an_event_read_twice_records_once_and_wakes_the_workers_once() -> None:
    recorder = MemoryRecorder()
    broker, wakes = wired(recorder)
    event_id, _, raw = event_bytes()
    async with TestKafkaBroker(broker) as br:
        await br.publish(raw, TOPIC)
        await br.publish(raw, TOPIC)
    assert list(recorder.events) == [event_id]
    assert wakes == [1]


@pytest.mark.parametrize("raw", [b"not json", b'{"event_id": "x"}', b"[]"])
async def test_a_record_that_is_not_an_event_is_skipped(raw: bytes) -> None:
    recorder = MemoryRecorder()
    broker, wakes = wired(recorder)
    async with TestKafkaBroker(broker) as br:
        await br.publish(raw, TOPIC)
    assert recorder.events == {}
    assert wakes == []


async def test_a_failure_to_record_is_not_swallowed_as_a_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("webhooks.intake.RETRY_PAUSE_SECONDS", 0.0)
    recorder = MemoryRecorder(fail=True)
    broker, wakes = wired(recorder)
    _, _, raw = event_bytes()
    async with TestKafkaBroker(broker) as br:
        await br.publish(raw, TOPIC)
    assert recorder.events == {}
    assert wakes == []
