"""A lean, fast decoder for consumers of trusted bytes: msgspec structs mirroring the v1 models.

``decode_event`` (pydantic) is the reference: it validates, upcasts and names
every problem. ``decode_lean`` is a shortcut for the common case, an event
already at its newest version written by the relay, and it is *never more
permissive*: it returns a ``LeanEvent`` only when the pydantic decode would
accept the same bytes and give the same values, and ``None`` on any doubt, in
which case the caller must use ``decode_event`` (which then decodes or raises
exactly as it always has). So an undecodable event gets the same error either way.

How the two are kept equal (msgspec decodes the bytes straight into structs):

- the same JSON is read: bytes with a backslash fall back (an escape could
  spell a character a check below would miss, or a lone surrogate that orjson
  refuses); both parsers refuse invalid UTF-8, control characters, NaN,
  trailing data and leading zeros, and both let a duplicate key's last value win;
- msgspec's strict mode is stricter than pydantic's lax mode (no str→int,
  float→int or bool→int, no unix-time or ``urn:``/braced ids); integers are
  bounded to 63 bits, beyond which orjson would read a float;
- the same constraints (lengths, bounds, patterns, literals, unknown fields
  forbidden, the same required fields), with patterns anchored by ``\\Z`` since
  Python's ``$`` would also match before a trailing newline; the ids of order
  lines are matched after decoding, against a bounded memo of ids already
  matched (the same pattern, once per distinct id instead of once per line);
- timestamps must come out in UTC (pydantic converts another offset to UTC,
  msgspec keeps it) and bytes with a fraction of seven or more digits fall
  back (msgspec rounds it, pydantic truncates);
- only (type, version) pairs whose lean model mirrors the registry's newest
  model are taken; anything older, newer or unknown falls back.

``tests/unit/projections/test_projection_lean_decoding.py`` checks every sample event and a set of
hostile inputs against ``decode_event``.
"""

import re
from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from contracts.event_types import REGISTRY, EventRegistry
from contracts.events import LAYOUT_ID, SEAT_ID


def _anchored(pattern: str) -> str:
    """``^...$`` as Python needs it to mean what the Rust regex of pydantic means: no trailing newline."""
    assert pattern.startswith("^")
    assert pattern.endswith("$")
    return pattern[:-1] + r"\Z"


LayoutId = Annotated[str, msgspec.Meta(pattern=_anchored(LAYOUT_ID))]
_INT63 = 2**63 - 1
Cents = Annotated[int, msgspec.Meta(ge=0, le=_INT63)]
# Aware; UTC is checked after decoding (``_utc``).
Timestamp = Annotated[datetime, msgspec.Meta(tz=True)]


class _Lean(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    pass


class RowLayout(_Lean, frozen=True):
    row: LayoutId
    seats: Annotated[int, msgspec.Meta(ge=1, le=1000)]


class ZoneLayout(_Lean, frozen=True):
    zone_id: LayoutId
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    price_cents: Cents
    rows: Annotated[tuple[RowLayout, ...], msgspec.Meta(min_length=1)]

    @property
    def capacity(self) -> int:
        return sum(r.seats for r in self.rows)


class OrderLine(_Lean, frozen=True):
    # Matched against SEAT_ID and LAYOUT_ID after decoding (``_lines_match``).
    seat_id: str
    zone_id: str
    price_cents: Cents


class ShowScheduled(_Lean, frozen=True):
    show_id: UUID
    venue_id: UUID
    venue_name: str
    title: str
    starts_at: Timestamp
    zones: Annotated[tuple[ZoneLayout, ...], msgspec.Meta(min_length=1)]


SeatIds = Annotated[tuple[str, ...], msgspec.Meta(min_length=1)]
Lines = Annotated[tuple[OrderLine, ...], msgspec.Meta(min_length=1)]


class _HoldEvent(_Lean, frozen=True):
    """``contracts.events.HoldEvent``: the fields every hold event starts with, in this order."""

    hold_id: UUID
    customer_id: str
    seat_ids: SeatIds


class SeatsHeld(_HoldEvent, frozen=True):
    expires_at: Timestamp


class HoldReleased(_HoldEvent, frozen=True):
    reason: Literal["released", "expired"]


class HoldExtended(_HoldEvent, frozen=True):
    expires_at: Timestamp


class OrderPlaced(_Lean, frozen=True):
    order_id: UUID
    hold_id: UUID
    customer_id: str
    referrer_id: str | None
    lines: Lines
    total_cents: Cents
    pay_by: Timestamp


class _OrderEvent(_Lean, frozen=True):
    """``contracts.events.OrderEvent``: the fields every order event after ``OrderPlaced`` starts with."""

    order_id: UUID
    customer_id: str
    referrer_id: str | None
    lines: Lines


class OrderPaid(_OrderEvent, frozen=True):
    amount_cents: Cents
    paid_at: Timestamp


class OrderCancelled(_OrderEvent, frozen=True):
    previous_status: Literal["pending", "paid"]
    refunded_cents: Cents
    paid_at: Timestamp | None
    reason: str | None = None


class OrderExpired(_OrderEvent, frozen=True):
    pass


LeanPayload = (
    ShowScheduled
    | SeatsHeld
    | HoldReleased
    | HoldExtended
    | OrderPlaced
    | OrderPaid
    | OrderCancelled
    | OrderExpired
)


class LeanEnvelope(_Lean, frozen=True):
    """``contracts.Envelope``'s fields; ``payload`` is the payload's JSON, not decoded yet."""

    event_id: UUID
    type: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    version: Annotated[int, msgspec.Meta(ge=1, le=_INT63)]
    stream_id: UUID
    seq: Annotated[int, msgspec.Meta(ge=1, le=_INT63)]
    occurred_at: Timestamp
    correlation_id: UUID
    payload: msgspec.Raw
    causation_id: UUID | None = None


class LeanEvent(msgspec.Struct, frozen=True, gc=False):
    """An envelope and its payload, as ``contracts.DecodedEvent`` but lean."""

    envelope: LeanEnvelope
    payload: LeanPayload


# The lean model of each (type, version), by the pydantic model it mirrors.
LEAN_MODELS: dict[tuple[str, int], type[LeanPayload]] = {
    ("ShowScheduled", 1): ShowScheduled,
    ("SeatsHeld", 1): SeatsHeld,
    ("HoldReleased", 1): HoldReleased,
    ("HoldExtended", 1): HoldExtended,
    ("OrderPlaced", 1): OrderPlaced,
    ("OrderPaid", 1): OrderPaid,
    ("OrderCancelled", 1): OrderCancelled,
    ("OrderExpired", 1): OrderExpired,
}
# A fraction of seven or more digits, which msgspec rounds and pydantic truncates.
_LONG_FRACTION = re.compile(rb"\.[0-9]{7}")
_ENVELOPE = msgspec.json.Decoder(LeanEnvelope)
_PAYLOADS = {model: msgspec.json.Decoder(model) for model in LEAN_MODELS.values()}


class LeanDecoder:
    """``decode_lean`` bound to a registry; the table of models it may take is rebuilt whenever the
    registry changes, so a new version (with its upcaster) makes the old lean model fall back."""

    def __init__(self, registry: EventRegistry = REGISTRY) -> None:
        self.registry = registry
        self.sizes = (-1, -1)
        self.decoders: dict[tuple[str, int], msgspec.json.Decoder[LeanPayload]] = {}

    def _table(self) -> dict[tuple[str, int], msgspec.json.Decoder[LeanPayload]]:
        registry = self.registry
        if len(registry.models) != self.sizes[0] or len(registry.upcasters) != self.sizes[1]:
            newest = {(t, registry.latest_version(t)) for t, _ in registry.models}
            self.decoders = {key: _PAYLOADS[model] for key, model in LEAN_MODELS.items() if key in newest}
            self.sizes = (len(registry.models), len(registry.upcasters))
        return self.decoders

    def decode(self, raw: bytes) -> LeanEvent | None:
        """The event, or None when ``decode_event`` must decide (it may still accept the event)."""
        if b"\\" in raw or _LONG_FRACTION.search(raw) is not None:
            return None
        try:
            envelope = _ENVELOPE.decode(raw)
            decoder = self._table().get((envelope.type, envelope.version))
            if decoder is None:
                return None
            payload = decoder.decode(envelope.payload)
        except msgspec.DecodeError:  # ValidationError is one
            return None
        if envelope.occurred_at.tzinfo is not UTC or not _utc(payload):
            return None
        lines = getattr(payload, "lines", None)
        if lines is not None and not _lines_match(lines):
            return None
        return LeanEvent(envelope, payload)


_SEAT_ID = re.compile(_anchored(SEAT_ID))
_LAYOUT_ID = re.compile(_anchored(LAYOUT_ID))
# Ids already matched (a venue's seats recur in every order), bounded: cleared when full.
_MATCHED_SEATS: set[str] = set()
_MATCHED_ZONES: set[str] = set()
_MATCHED_MAX = 1 << 16


def _lines_match(lines: tuple[OrderLine, ...]) -> bool:
    """Whether every line's seat and zone ids match SEAT_ID and LAYOUT_ID, as msgspec's pattern
    constraint would check them (``re.search`` of the anchored pattern), each distinct id once."""
    for line in lines:
        if line.seat_id not in _MATCHED_SEATS:
            if _SEAT_ID.search(line.seat_id) is None:
                return False
            _remember(_MATCHED_SEATS, line.seat_id)
        if line.zone_id not in _MATCHED_ZONES:
            if _LAYOUT_ID.search(line.zone_id) is None:
                return False
            _remember(_MATCHED_ZONES, line.zone_id)
    return True


def _remember(matched: set[str], text: str) -> None:
    if len(matched) >= _MATCHED_MAX:
        matched.clear()
    matched.add(text)


def _utc(p: LeanPayload) -> bool:
    """Whether every timestamp of the payload is in UTC already (pydantic would convert it)."""
    if isinstance(p, SeatsHeld | HoldExtended):
        return p.expires_at.tzinfo is UTC
    if isinstance(p, OrderPaid):
        return p.paid_at.tzinfo is UTC
    if isinstance(p, OrderPlaced):
        return p.pay_by.tzinfo is UTC
    if isinstance(p, OrderCancelled):
        return p.paid_at is None or p.paid_at.tzinfo is UTC
    if isinstance(p, ShowScheduled):
        return p.starts_at.tzinfo is UTC
    return True


_DEFAULT = LeanDecoder()


def decode_lean(raw: bytes) -> LeanEvent | None:
    """``LeanDecoder.decode`` with the default registry."""
    return _DEFAULT.decode(raw)
