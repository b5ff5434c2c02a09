"""Turning consumed messages into events, without ever raising: a bad message is data."""

from dataclasses import dataclass
from uuid import UUID

import orjson
from pydantic import ValidationError

from contracts import DecodedEvent, Envelope, EventDecodeError, EventPayload, decode_event
from contracts.registry import REGISTRY, EventRegistry


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


class _Current:
    """The payload model of each (type, version) that is already the newest, needing no upcast.

    Decoding is the projector's main cost; this skips the registry's scans for
    the common case. Anything else (older versions, unknown types, invalid
    events) goes through ``decode_event``, so results and errors are the same.
    The table is rebuilt whenever the registry gains models or upcasters.
    """

    def __init__(self, registry: EventRegistry = REGISTRY) -> None:
        self.registry = registry
        self.size = (-1, -1)
        self.models: dict[tuple[str, int], type[EventPayload]] = {}

    def lookup(self, event_type: str, version: int) -> type[EventPayload] | None:
        size = (len(self.registry.models), len(self.registry.upcasters))
        if size != self.size:
            types = {t for t, _ in self.registry.models}
            self.models = {(t, self.registry.latest_version(t)): self.registry.latest_model(t) for t in types}
            self.size = size
        return self.models.get((event_type, version))


_CURRENT = _Current()


def decode_fast(raw: bytes) -> DecodedEvent:
    """``decode_event`` with a shortcut for events already at their newest version."""
    try:
        envelope = Envelope.model_validate(orjson.loads(raw))
        model = _CURRENT.lookup(envelope.type, envelope.version)
        if model is not None:
            return DecodedEvent(envelope, model.model_validate(envelope.payload))
    except (orjson.JSONDecodeError, ValidationError):
        pass  # decode_event describes the problem
    return decode_event(raw)


def decode(record: Record) -> Incoming:
    """Decode one record; never raises."""
    if record.value is None:
        return Incoming(record, _show_of(record), None, "empty message (tombstone)")
    try:
        event = decode_fast(record.value)
    except EventDecodeError as exc:
        return Incoming(record, _show_of(record), None, str(exc))
    return Incoming(record, event.envelope.stream_id, event, None)
