"""The shared language of boxoffice: events, topics, serialization, tokens.

Imports nothing else of the project; every side depends on it and on nothing
of each other.
"""

from contracts.codec import decode_event, encode_event, new_envelope
from contracts.consistency import ConsistencyToken
from contracts.envelope import Envelope
from contracts.errors import (
    EventDecodeError,
    MalformedEventError,
    UnknownEventTypeError,
    UnsupportedEventVersionError,
)
from contracts.event_types import DecodedEvent
from contracts.events import (
    EventPayload,
    HoldExtended,
    HoldReleased,
    OrderCancelled,
    OrderExpired,
    OrderLine,
    OrderPaid,
    OrderPlaced,
    RowLayout,
    SeatsHeld,
    ShowScheduled,
    ZoneLayout,
    seat_id_for,
)
from contracts.topics import DEAD_LETTER_TOPIC, EVENTS_TOPIC, EVENTS_TOPIC_PARTITIONS, partition_key

__all__ = [
    "DEAD_LETTER_TOPIC",
    "EVENTS_TOPIC",
    "EVENTS_TOPIC_PARTITIONS",
    "ConsistencyToken",
    "DecodedEvent",
    "Envelope",
    "EventDecodeError",
    "EventPayload",
    "HoldExtended",
    "HoldReleased",
    "MalformedEventError",
    "OrderCancelled",
    "OrderExpired",
    "OrderLine",
    "OrderPaid",
    "OrderPlaced",
    "RowLayout",
    "SeatsHeld",
    "ShowScheduled",
    "UnknownEventTypeError",
    "UnsupportedEventVersionError",
    "ZoneLayout",
    "decode_event",
    "encode_event",
    "new_envelope",
    "partition_key",
    "seat_id_for",
]
