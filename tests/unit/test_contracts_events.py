"""Every event type survives encode -> bytes -> decode unchanged, with its envelope."""

from uuid import uuid4

import orjson
import pytest

from contracts import EventPayload, SeatsHeld, decode_event, encode_event, new_envelope, partition_key
from tests.unit.test_contracts_samples import NOW, SHOW_ID, sample_payloads


@pytest.mark.parametrize("payload", sample_payloads(), ids=lambda p: type(p).__name__)
def test_round_trip_keeps_payload_and_envelope(payload: EventPayload) -> None:
    correlation, causation = uuid4(), uuid4()
    envelope = new_envelope(
        payload, stream_id=SHOW_ID, seq=7, correlation_id=correlation, causation_id=causation, occurred_at=NOW
    )

    decoded = decode_event(encode_event(envelope))

    assert decoded.payload == payload
    assert type(decoded.payload) is type(payload)
    assert decoded.envelope == envelope
    assert decoded.envelope.type == payload.event_type
    assert decoded.envelope.version == payload.event_version == 1
    assert (decoded.envelope.seq, decoded.envelope.stream_id) == (7, SHOW_ID)
    assert (decoded.envelope.correlation_id, decoded.envelope.causation_id) == (correlation, causation)


@pytest.mark.parametrize("payload", sample_payloads(), ids=lambda p: type(p).__name__)
def test_wire_format_is_json_with_the_envelope_fields(payload: EventPayload) -> None:
    envelope = new_envelope(payload, stream_id=SHOW_ID, seq=1, correlation_id=uuid4())

    document = orjson.loads(encode_event(envelope))

    assert set(document) == {
        "event_id", "type", "version", "stream_id", "seq", "occurred_at", "correlation_id", "causation_id",
        "payload",
    }  # fmt: skip
    assert document["stream_id"] == str(SHOW_ID)
    assert len(encode_event(envelope)) < 1_000_000  # well under Kafka's default message size


def test_new_envelope_gives_each_event_its_own_id_and_a_utc_time() -> None:
    payload = sample_payloads()[1]
    first = new_envelope(payload, stream_id=SHOW_ID, seq=1, correlation_id=uuid4())
    second = new_envelope(payload, stream_id=SHOW_ID, seq=2, correlation_id=uuid4())

    assert first.event_id != second.event_id
    offset = first.occurred_at.utcoffset()
    assert offset is not None
    assert offset.total_seconds() == 0


def test_partition_key_is_the_show_id_text() -> None:
    assert partition_key(SHOW_ID) == str(SHOW_ID).encode()


def test_payloads_are_frozen() -> None:
    payload = sample_payloads()[1]
    assert isinstance(payload, SeatsHeld)
    with pytest.raises(ValueError, match="frozen"):
        payload.customer_id = "someone else"  # type: ignore[misc]  # the point: mypy refuses it too
