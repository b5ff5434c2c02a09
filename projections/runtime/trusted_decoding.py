"""Decoding the relay's bytes into structures holding only what the folds read, trusting the rest.

What this trusts: the topic is written only by the relay, with bytes the command
side encoded from contract-checked models (``contracts.encode_event``). So a
record is decoded here in one pass (msgspec's tagged union on the envelope's
``type``), into the envelope fields triage reads (``stream_id``, ``seq``,
``occurred_at``) and the payload fields the folds read; every other field
(``event_id``, ``correlation_id``, ``causation_id``, hold and order ids,
customers, expiries, ``total_cents``) is skipped unparsed, and the contract's
patterns (those of seat and zone ids included) and forbidden unknown fields
are not checked. A record that breaks the contract only there is therefore
folded, where the full decode would dead-letter it; a timestamp written with more than six digits of
fraction is rounded here where the full decode truncates it. Nothing but the
relay writing the topic makes that impossible.

What it keeps: the fields it reads are typed strictly, with the contract's
bounds (ids, sequence numbers from 1, cents from 0, at least one seat or line,
UTC timestamps, the order's previous status), a show's schedule is decoded by the
full lean model (``contracts.lean.ShowScheduled``: rare, and a fold keeps all of
it), and only event types whose newest registered version is 1 are taken. On
anything else (an unknown or newer type, a missing or mistyped field, a
timestamp not in UTC, bytes that are not JSON) ``decode_trusted`` returns None
and the caller decodes in full (``decoding.decode_value``), which dead-letters
exactly as before.
"""

from datetime import UTC, datetime
from typing import Annotated, ClassVar, Literal
from uuid import UUID

import msgspec

from contracts import lean
from contracts.event_types import REGISTRY, EventRegistry

Timestamp = Annotated[datetime, msgspec.Meta(tz=True)]
_INT63 = 2**63 - 1
Cents = Annotated[int, msgspec.Meta(ge=0, le=_INT63)]
Seq = Annotated[int, msgspec.Meta(ge=1, le=_INT63)]
SeatIds = Annotated[tuple[str, ...], msgspec.Meta(min_length=1)]


class _Part(msgspec.Struct, frozen=True, gc=False):
    pass


class OrderLine(_Part, frozen=True):
    seat_id: str
    zone_id: str
    price_cents: Cents


Lines = Annotated[tuple[OrderLine, ...], msgspec.Meta(min_length=1)]


class SeatsHeld(_Part, frozen=True):
    seat_ids: SeatIds


class HoldReleased(_Part, frozen=True):
    seat_ids: SeatIds


class HoldExtended(_Part, frozen=True):
    """No fold reads anything of it."""


class OrderPlaced(_Part, frozen=True):
    """No fold reads anything of it."""


class OrderPaid(_Part, frozen=True):
    referrer_id: str | None
    lines: Lines
    amount_cents: Cents
    paid_at: Timestamp


class OrderCancelled(_Part, frozen=True):
    referrer_id: str | None
    lines: Lines
    previous_status: Literal["pending", "paid"]
    refunded_cents: Cents
    paid_at: Timestamp | None


class OrderExpired(_Part, frozen=True):
    lines: Lines


class _Event(msgspec.Struct, frozen=True, gc=False, tag_field="type"):
    """The envelope's fields triage reads; it is its own ``envelope``, as a fold expects one."""

    type: ClassVar[str]
    version: Literal[1]
    stream_id: UUID
    seq: Seq
    occurred_at: Timestamp

    @property
    def envelope(self) -> "_Event":
        return self


class ShowScheduledEvent(_Event, frozen=True, tag="ShowScheduled"):
    type: ClassVar[str] = "ShowScheduled"
    payload: lean.ShowScheduled


class SeatsHeldEvent(_Event, frozen=True, tag="SeatsHeld"):
    type: ClassVar[str] = "SeatsHeld"
    payload: SeatsHeld


class HoldReleasedEvent(_Event, frozen=True, tag="HoldReleased"):
    type: ClassVar[str] = "HoldReleased"
    payload: HoldReleased


class HoldExtendedEvent(_Event, frozen=True, tag="HoldExtended"):
    type: ClassVar[str] = "HoldExtended"
    payload: HoldExtended


class OrderPlacedEvent(_Event, frozen=True, tag="OrderPlaced"):
    type: ClassVar[str] = "OrderPlaced"
    payload: OrderPlaced


class OrderPaidEvent(_Event, frozen=True, tag="OrderPaid"):
    type: ClassVar[str] = "OrderPaid"
    payload: OrderPaid


class OrderCancelledEvent(_Event, frozen=True, tag="OrderCancelled"):
    type: ClassVar[str] = "OrderCancelled"
    payload: OrderCancelled


class OrderExpiredEvent(_Event, frozen=True, tag="OrderExpired"):
    type: ClassVar[str] = "OrderExpired"
    payload: OrderExpired


TrustedEvent = (
    ShowScheduledEvent
    | SeatsHeldEvent
    | HoldReleasedEvent
    | HoldExtendedEvent
    | OrderPlacedEvent
    | OrderPaidEvent
    | OrderCancelledEvent
    | OrderExpiredEvent
)
_DECODER = msgspec.json.Decoder(TrustedEvent)
_TYPES = frozenset(c.type for c in TrustedEvent.__args__)


class TrustedDecoder:
    """``decode_trusted`` bound to a registry: a type is taken only while its newest version is 1
    (the one mirrored here), so registering a newer version makes its events decode in full."""

    def __init__(self, registry: EventRegistry = REGISTRY) -> None:
        self.registry = registry
        self.sizes = (-1, -1)
        self.types: frozenset[str] = frozenset()

    def _taken(self) -> frozenset[str]:
        registry = self.registry
        if len(registry.models) != self.sizes[0] or len(registry.upcasters) != self.sizes[1]:
            registered = {t for t, _ in registry.models}
            self.types = frozenset(t for t in _TYPES & registered if registry.latest_version(t) == 1)
            self.sizes = (len(registry.models), len(registry.upcasters))
        return self.types

    def decode(self, raw: bytes) -> TrustedEvent | None:
        """The event, or None when the full decode must decide (see the module's docstring)."""
        try:
            event = _DECODER.decode(raw)
        except msgspec.DecodeError:  # ValidationError is one
            return None
        if event.type not in self._taken() or event.occurred_at.tzinfo is not UTC:
            return None
        paid_at = getattr(event.payload, "paid_at", None)
        if paid_at is not None and paid_at.tzinfo is not UTC:
            return None
        if isinstance(event, ShowScheduledEvent) and event.payload.starts_at.tzinfo is not UTC:
            return None
        return event


_DEFAULT = TrustedDecoder()


def decode_trusted(raw: bytes) -> TrustedEvent | None:
    """``TrustedDecoder.decode`` with the default registry."""
    return _DEFAULT.decode(raw)
