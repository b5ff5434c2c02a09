"""One line per event, for people: what happened, to which seats, orders and customers.

``describe`` never fails: an event type or version this code does not know (a
newer producer's) gets a generic summary of its payload fields, and bytes that
are not an event at all say so. Free text (customer ids, reasons) is shown with
its control characters escaped and cut short, so one event is always one line.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from contracts import DecodedEvent, Envelope, EventDecodeError, decode_event, events

_SEATS_SHOWN = 6
_TEXT_SHOWN = 40


@dataclass(frozen=True, slots=True)
class EventLine:
    """What an operator sees of one event; ``None``/``"?"`` where the bytes did not say."""

    show_id: UUID | None
    seq: int | None
    event_type: str
    occurred_at: datetime | None
    correlation_id: UUID | None
    summary: str


def describe(raw: bytes) -> EventLine:
    """The line of one event as stored or published (the exact bytes); never raises."""
    try:
        event = decode_event(raw)
    except EventDecodeError as error:
        return _undecoded(raw, error)
    return _line(event.envelope, summarize(event))


def summarize(event: DecodedEvent) -> str:
    """The one-line summary of a decoded event; types not listed here get a generic one."""
    p, at = event.payload, event.envelope.occurred_at
    match p:
        case events.ShowScheduled():
            seats = sum(z.capacity for z in p.zones)
            line = (
                f"scheduled {_text(p.title)} at {_text(p.venue_name)}, starts {stamp(p.starts_at)}, "
                f"{len(p.zones)} zone(s), {seats:,} seats"
            )
        case events.SeatsHeld():
            line = (
                f"held {_seats(p.seat_ids)} for {_text(p.customer_id)} until {clock(p.expires_at, at)} "
                f"(hold {short(p.hold_id)})"
            )
        case events.HoldReleased():
            verb = "expired" if p.reason == "expired" else "released"
            line = f"hold {short(p.hold_id)} of {_text(p.customer_id)} {verb}: {_seats(p.seat_ids)} free"
        case events.HoldExtended():
            line = (
                f"hold {short(p.hold_id)} of {_text(p.customer_id)} extended until "
                f"{clock(p.expires_at, at)}: {_seats(p.seat_ids)}"
            )
        case events.OrderPlaced():
            line = (
                f"order {short(p.order_id)} placed by {_text(p.customer_id)} "
                f"from hold {short(p.hold_id)}: {_lines(p.lines)}, {p.total_cents:,} cents, "
                f"pay by {clock(p.pay_by, at)}{_via(p.referrer_id)}"
            )
        case events.OrderPaid():
            line = (
                f"order {short(p.order_id)} paid {p.amount_cents:,} cents by {_text(p.customer_id)}: "
                f"{_lines(p.lines)}{_via(p.referrer_id)}"
            )
        case events.OrderCancelled():
            refund = f", refunded {p.refunded_cents:,} cents" if p.previous_status == "paid" else ""
            why = f": {_text(p.reason)}" if p.reason else ""
            line = (
                f"order {short(p.order_id)} of {_text(p.customer_id)} cancelled "
                f"({p.previous_status}{refund}), {_lines(p.lines)} free{why}"
            )
        case events.OrderExpired():
            line = (
                f"order {short(p.order_id)} of {_text(p.customer_id)} expired unpaid, {_lines(p.lines)} free"
            )
        case _:
            line = generic_summary(event.envelope.type, p.model_dump(mode="json"), at)
    return line


def generic_summary(event_type: str, payload: Mapping[str, Any], occurred_at: datetime | None) -> str:
    """``Type: field value, ...`` for an event type without a summary of its own."""
    fields = ", ".join(f"{name} {_value(value, occurred_at)}" for name, value in payload.items())
    return f"{event_type}: {fields}" if fields else event_type


def short(value: UUID | str) -> str:
    """The first 8 hex digits of an id, enough to tell ids apart in a show's stream."""
    return f"{str(value)[:8]}…"


def stamp(moment: datetime) -> str:
    """``2030-01-01T20:00:00Z`` (UTC, whole seconds)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def clock(moment: datetime, relative_to: datetime | None) -> str:
    """``12:05:00Z`` when on the UTC day of ``relative_to``, else the full stamp."""
    if relative_to is not None and moment.date() == relative_to.date():
        return moment.strftime("%H:%M:%SZ")
    return stamp(moment)


def _line(envelope: Envelope, summary: str) -> EventLine:
    return EventLine(
        show_id=envelope.stream_id,
        seq=envelope.seq,
        event_type=envelope.type,
        occurred_at=envelope.occurred_at,
        correlation_id=envelope.correlation_id,
        summary=summary,
    )


def _undecoded(raw: bytes, error: EventDecodeError) -> EventLine:
    try:
        envelope = Envelope.model_validate_json(raw)
    except ValidationError:
        return EventLine(None, None, "?", None, None, f"not an event: {_text(str(error), 200)}")
    summary = generic_summary(f"{envelope.type} v{envelope.version}", envelope.payload, envelope.occurred_at)
    return _line(envelope, summary)


def _text(value: str, limit: int = _TEXT_SHOWN) -> str:
    shown = value if value.isprintable() else value.encode("unicode_escape").decode("ascii")
    return shown if len(shown) <= limit else f"{shown[: limit - 1]}…"


def _seats(seat_ids: Iterable[str]) -> str:
    seats = list(seat_ids)
    listed = ", ".join(_text(s) for s in seats[:_SEATS_SHOWN])
    more = len(seats) - _SEATS_SHOWN
    return f"{listed} (+{more} more)" if more > 0 else listed


def _lines(lines: Iterable[Any]) -> str:
    return _seats(line.seat_id for line in lines)


def _via(referrer_id: str | None) -> str:
    return f" via {_text(referrer_id)}" if referrer_id else ""


def _value(value: Any, occurred_at: datetime | None) -> str:
    """A payload value in a generic summary: ids short, timestamps as clocks, lists and maps abridged."""
    if isinstance(value, str):
        return _scalar_text(value, occurred_at)
    if isinstance(value, list | tuple):
        if all(isinstance(v, str | int | float | bool) or v is None for v in value):
            return _seats(str(v) for v in value)
        return f"[{len(value)} item(s)]"
    if isinstance(value, dict):
        return "{…}"
    return _text(str(value))


def _scalar_text(value: str, occurred_at: datetime | None) -> str:
    if len(value) == 36:  # the text form of a UUID
        try:
            return short(UUID(value))
        except ValueError:
            pass
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return _text(value)
    if moment.tzinfo is None:  # a date or a naive time: not an event timestamp
        return _text(value)
    return clock(moment.astimezone(UTC), occurred_at)
