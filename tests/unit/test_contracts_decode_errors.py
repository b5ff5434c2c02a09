"""Every way decoding can fail raises a typed error that names the event id."""

from typing import Any
from uuid import uuid4

import orjson
import pytest

from contracts import (
    EventDecodeError,
    MalformedEventError,
    UnknownEventTypeError,
    UnsupportedEventVersionError,
    decode_event,
    encode_event,
    new_envelope,
)
from tests.unit.test_contracts_samples import SHOW_ID, sample_payloads


def valid_document() -> dict[str, Any]:
    envelope = new_envelope(sample_payloads()[1], stream_id=SHOW_ID, seq=2, correlation_id=uuid4())
    document: dict[str, Any] = orjson.loads(encode_event(envelope))
    return document


def decode_error(document: Any) -> EventDecodeError:
    raw = document if isinstance(document, bytes) else orjson.dumps(document)
    with pytest.raises(EventDecodeError) as caught:
        decode_event(raw)
    return caught.value


def test_bytes_that_are_not_json() -> None:
    error = decode_error(b"\x00not json{")

    assert isinstance(error, MalformedEventError)
    assert error.event_id is None
    assert "not JSON" in str(error)
    assert "<unknown id>" in str(error)


def test_json_that_is_not_an_object() -> None:
    error = decode_error([1, 2, 3])

    assert isinstance(error, MalformedEventError)
    assert "bad envelope" in str(error)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"seq": 0}, "seq"),
        ({"stream_id": "not-a-uuid"}, "stream_id"),
        ({"occurred_at": "2026-01-01T00:00:00"}, "occurred_at"),  # naive time
        ({"version": "one"}, "version"),
        ({"payload": "text"}, "payload"),
        ({"extra_field": True}, "extra_field"),
    ],
)
def test_bad_envelope_names_the_event_and_the_field(change: dict[str, Any], field: str) -> None:
    document = valid_document()

    error = decode_error({**document, **change})

    assert isinstance(error, MalformedEventError)
    assert error.event_id == document["event_id"]
    assert document["event_id"] in str(error)
    assert "bad envelope" in str(error)
    assert field in str(error)


def test_missing_envelope_field() -> None:
    document = valid_document()
    del document["correlation_id"]

    error = decode_error(document)

    assert isinstance(error, MalformedEventError)
    assert "correlation_id" in str(error)
    assert document["event_id"] in str(error)


def test_unknown_type() -> None:
    document = {**valid_document(), "type": "SeatsTeleported"}

    error = decode_error(document)

    assert isinstance(error, UnknownEventTypeError)
    assert error.event_id == document["event_id"]
    assert "SeatsTeleported" in str(error)


@pytest.mark.parametrize("version", [2, 99])
def test_unsupported_version(version: int) -> None:
    document = {**valid_document(), "version": version}

    error = decode_error(document)

    assert isinstance(error, UnsupportedEventVersionError)
    assert error.event_id == document["event_id"]
    assert f"no version {version}" in str(error)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"seat_ids": []}, "seat_ids"),
        ({"hold_id": "nope"}, "hold_id"),
        ({"expires_at": None}, "expires_at"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_payload_names_the_event_type_and_field(change: dict[str, Any], field: str) -> None:
    document = valid_document()
    document["payload"] = {**document["payload"], **change}

    error = decode_error(document)

    assert isinstance(error, MalformedEventError)
    assert error.event_id == document["event_id"]
    assert "bad SeatsHeld v1 payload" in str(error)
    assert field in str(error)


def test_missing_payload_field() -> None:
    document = valid_document()
    del document["payload"]["customer_id"]

    error = decode_error(document)

    assert isinstance(error, MalformedEventError)
    assert "customer_id" in str(error)


def test_errors_are_value_errors_for_callers_that_catch_broadly() -> None:
    assert issubclass(EventDecodeError, ValueError)
