"""Serialization of events with orjson, and typed decoding errors."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import orjson
from pydantic import ValidationError

from contracts.envelope import Envelope
from contracts.errors import (
    MalformedEventError,
    UnknownEventTypeError,
    UnsupportedEventVersionError,
)
from contracts.event_types import REGISTRY, DecodedEvent, EventRegistry
from contracts.events import EventPayload


def new_envelope(
    payload: EventPayload,
    *,
    stream_id: UUID,
    seq: int,
    correlation_id: UUID,
    causation_id: UUID | None = None,
    occurred_at: datetime | None = None,
    event_id: UUID | None = None,
) -> Envelope:
    """Wrap a payload for publication as event ``seq`` of show ``stream_id``."""
    return Envelope(
        event_id=event_id or uuid4(),
        type=payload.event_type,
        version=payload.event_version,
        stream_id=stream_id,
        seq=seq,
        occurred_at=occurred_at or datetime.now(UTC),
        correlation_id=correlation_id,
        causation_id=causation_id,
        payload=payload.model_dump(mode="json"),
    )


def encode_event(envelope: Envelope) -> bytes:
    """The bytes of an event on the wire: UTF-8 JSON."""
    return orjson.dumps(envelope.model_dump(mode="json"))


def _event_id_of(raw: Any) -> str | None:
    if isinstance(raw, dict):
        value = raw.get("event_id")
        return str(value) if value is not None else None
    return None


def _describe(error: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in error.errors()]
    return "; ".join(parts[:5])


def decode_event(raw: bytes, registry: EventRegistry = REGISTRY) -> DecodedEvent:
    """Parse and validate one event, upcasting an older payload to the newest version.

    Raises MalformedEventError, UnknownEventTypeError or
    UnsupportedEventVersionError, each naming the event id when it can be read.
    """
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MalformedEventError(None, f"not JSON: {exc}") from exc
    event_id = _event_id_of(document)
    try:
        envelope = Envelope.model_validate(document)
    except ValidationError as exc:
        raise MalformedEventError(event_id, f"bad envelope: {_describe(exc)}") from exc
    if not registry.knows_type(envelope.type):
        raise UnknownEventTypeError(event_id, f"unknown event type {envelope.type!r}")
    payload = registry.upcast(envelope.type, envelope.version, dict(envelope.payload))
    if payload is None:
        raise UnsupportedEventVersionError(
            event_id, f"{envelope.type} has no version {envelope.version} this code can read"
        )
    model = registry.latest_model(envelope.type)
    try:
        return DecodedEvent(envelope, model.model_validate(payload))
    except ValidationError as exc:
        raise MalformedEventError(
            event_id, f"bad {envelope.type} v{envelope.version} payload: {_describe(exc)}"
        ) from exc
