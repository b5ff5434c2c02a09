"""Turning consumed messages into events, without ever raising: a bad message is data."""

from typing import NamedTuple
from uuid import UUID

import orjson

from contracts import DecodedEvent, EventDecodeError, decode_event
from contracts.lean import LeanEvent, decode_lean
from projections.runtime.trusted_decoding import TrustedEvent, decode_trusted

# What a fold is given: the trusted structures (only the fields the folds read) on the fast path,
# else the lean structures, else the pydantic models. All have the same names and values for
# what the folds read (``contracts.lean``, ``trusted_decoding``).
Event = DecodedEvent | LeanEvent | TrustedEvent


class Record(NamedTuple):
    """One consumed message, independent of the Kafka client.

    Immutable; a named tuple rather than a frozen dataclass because one is built per
    event of a replay, and a named tuple is built in about half the time.
    """

    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int


class Incoming(NamedTuple):
    """A record with its decoded event, or the reason it has none.

    ``show_id`` is known whenever the key or the body names a valid show id, even
    for an event that fails to decode: that is what lets a bad event quarantine
    its show instead of being skipped silently. Immutable, a named tuple as ``Record``.
    """

    record: Record
    show_id: UUID | None
    event: Event | None
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


def decode_value(raw: bytes) -> Event:
    """The lean decode when it is sure, else ``decode_event``, which upcasts or raises as always.

    ``decode_lean`` never accepts what ``decode_event`` would refuse, nor reads a
    value differently (``contracts.lean``), so the events a fold sees and the
    dead-letter errors are the same as with ``decode_event`` alone; only the
    cost of the common case (relayed bytes of the newest version) differs.
    """
    event = decode_lean(raw)
    return event if event is not None else decode_event(raw)


def decode(record: Record) -> Incoming:
    """Decode one record; never raises.

    The relay's bytes are trusted in what no fold reads (``trusted_decoding``, which says
    what that means); a record the trusted decode does not take is decoded in full by
    ``decode_value`` and dead-lettered, when it fails, exactly as without the trusted decode.
    """
    value = record.value
    if value is None:
        return Incoming(record, _show_of(record), None, "empty message (tombstone)")
    trusted = decode_trusted(value)
    if trusted is not None:
        return Incoming(record, trusted.stream_id, trusted, None)
    try:
        event = decode_value(value)
    except EventDecodeError as exc:
        return Incoming(record, _show_of(record), None, str(exc))
    return Incoming(record, event.envelope.stream_id, event, None)
