"""Turning consumed messages into events, without ever raising: a bad message is data."""

from dataclasses import dataclass
from uuid import UUID

import orjson

from contracts import DecodedEvent, EventDecodeError, decode_event


@dataclass(frozen=True, slots=True)
class Record:
    """One consumed message, independent of the Kafka client."""

    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int


@dataclass(frozen=True, slots=True)
class Incoming:
    """A record with its decoded event, or the reason it has none.

    ``show_id`` is known whenever the key or the body names a valid show id, even
    for an event that fails to decode: that is what lets a bad event quarantine
    its show instead of being skipped silently.
    """

    record: Record
    show_id: UUID | None
    event: DecodedEvent | None
    error: str | None


def _uuid(text: object) -> UUID | None:
    if not isinstance(text, str):
        return None
    try:
        return UUID(text)
    except ValueError:
        return None


def _show_of(record: Record) -> UUID | None:
    if record.key:
        try:
            return _uuid(record.key.decode())
        except UnicodeDecodeError:
            pass
    try:
        document = orjson.loads(record.value or b"")
    except orjson.JSONDecodeError:
        return None
    return _uuid(document.get("stream_id")) if isinstance(document, dict) else None


def decode(record: Record) -> Incoming:
    """Decode one record; never raises."""
    if record.value is None:
        return Incoming(record, _show_of(record), None, "empty message (tombstone)")
    try:
        event = decode_event(record.value)
    except EventDecodeError as exc:
        return Incoming(record, _show_of(record), None, str(exc))
    return Incoming(record, event.envelope.stream_id, event, None)
