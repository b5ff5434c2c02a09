"""The one-line summaries of `boxoffice events show|tail`: each contract type, and what they do not know."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import orjson
import pytest

from cli.event_log.summary import EventLine, describe
from contracts import encode_event, events, new_envelope

AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
SHOW = uuid4()
HOLD = UUID("3f2a0000-0000-0000-0000-000000000001")
ORDER = UUID("3f2a1111-0000-0000-0000-000000000002")
LINES = (
    events.OrderLine(seat_id="A-1-1", zone_id="A", price_cents=2000),
    events.OrderLine(seat_id="A-1-2", zone_id="A", price_cents=2500),
)

ALICES_ORDER: dict[str, Any] = {
    "order_id": ORDER,
    "customer_id": "alice",
    "lines": LINES,
}  # in each order event


def line_of(payload: events.EventPayload, seq: int = 3) -> EventLine:
    correlation = uuid4()
    envelope = new_envelope(payload, stream_id=SHOW, seq=seq, correlation_id=correlation, occurred_at=AT)
    line = describe(encode_event(envelope))
    assert (line.show_id, line.seq, line.event_type) == (SHOW, seq, payload.event_type)
    assert (line.occurred_at, line.correlation_id) == (AT, correlation)
    return line


@pytest.mark.parametrize(
    ("payload", "summary"),
    [
        (
            events.ShowScheduled(
                show_id=SHOW,
                venue_id=uuid4(),
                venue_name="Hall",
                title="Gala",
                starts_at=datetime(2030, 2, 1, 20, 0, tzinfo=UTC),
                zones=(
                    events.ZoneLayout(
                        zone_id="A",
                        name="Stalls",
                        price_cents=100,
                        rows=(events.RowLayout(row="1", seats=10),) * 2,
                    ),
                ),
            ),
            "scheduled Gala at Hall, starts 2030-02-01T20:00:00Z, 1 zone(s), 20 seats",
        ),
        (
            events.SeatsHeld(
                hold_id=HOLD,
                customer_id="alice",
                seat_ids=("A-1-1", "A-1-2"),
                expires_at=AT + timedelta(minutes=5),
            ),
            "held A-1-1, A-1-2 for alice until 12:05:00Z (hold 3f2a0000…)",
        ),
        (
            events.SeatsHeld(
                hold_id=HOLD, customer_id="bob", seat_ids=("A-1-1",), expires_at=AT + timedelta(days=1)
            ),
            "held A-1-1 for bob until 2030-01-02T12:00:00Z (hold 3f2a0000…)",
        ),
        (
            events.HoldReleased(hold_id=HOLD, customer_id="alice", seat_ids=("A-1-1",), reason="expired"),
            "hold 3f2a0000… of alice expired: A-1-1 free",
        ),
        (
            events.HoldReleased(hold_id=HOLD, customer_id="alice", seat_ids=("A-1-1",), reason="released"),
            "hold 3f2a0000… of alice released: A-1-1 free",
        ),
        (
            events.HoldExtended(
                hold_id=HOLD, customer_id="alice", seat_ids=("A-1-1",), expires_at=AT + timedelta(minutes=20)
            ),
            "hold 3f2a0000… of alice extended until 12:20:00Z: A-1-1",
        ),
        (
            events.OrderPlaced(
                **ALICES_ORDER,
                hold_id=HOLD,
                referrer_id="blog",
                total_cents=4500,
                pay_by=AT + timedelta(minutes=15),
            ),
            "order 3f2a1111… placed by alice from hold 3f2a0000…: A-1-1, A-1-2, 4,500 cents, "
            "pay by 12:15:00Z via blog",
        ),
        (
            events.OrderPaid(**ALICES_ORDER, referrer_id=None, amount_cents=4500, paid_at=AT),
            "order 3f2a1111… paid 4,500 cents by alice: A-1-1, A-1-2",
        ),
        (
            events.OrderCancelled(
                **ALICES_ORDER,
                referrer_id=None,
                previous_status="paid",
                refunded_cents=4500,
                paid_at=AT,
                reason="ill",
            ),
            "order 3f2a1111… of alice cancelled (paid, refunded 4,500 cents), A-1-1, A-1-2 free: ill",
        ),
        (
            events.OrderCancelled(
                **ALICES_ORDER, referrer_id=None, previous_status="pending", refunded_cents=0, paid_at=None
            ),
            "order 3f2a1111… of alice cancelled (pending), A-1-1, A-1-2 free",
        ),
        (
            events.OrderExpired(**ALICES_ORDER, referrer_id=None),
            "order 3f2a1111… of alice expired unpaid, A-1-1, A-1-2 free",
        ),
    ],
    ids=lambda value: getattr(value, "event_type", ""),
)
def test_each_contract_type_has_its_summary(payload: events.EventPayload, summary: str) -> None:
    assert line_of(payload).summary == summary


def test_many_seats_are_abridged() -> None:
    seats = tuple(f"A-1-{n}" for n in range(1, 21))
    line = line_of(events.SeatsHeld(hold_id=HOLD, customer_id="c", seat_ids=seats, expires_at=AT))
    assert line.summary.startswith("held A-1-1, A-1-2, A-1-3, A-1-4, A-1-5, A-1-6 (+14 more) for c")


def test_free_text_stays_on_one_line_and_short() -> None:
    customer = "eve\n[bold]evil[/bold]\x1b[31m" + "x" * 100
    line = line_of(events.SeatsHeld(hold_id=HOLD, customer_id=customer, seat_ids=("A-1-1",), expires_at=AT))
    assert "\n" not in line.summary
    assert "\x1b" not in line.summary
    assert line.summary.startswith("held A-1-1 for eve\\n[bold]evil[/bold]")
    assert "x" * 60 not in line.summary


def envelope_bytes(event_type: str, version: int, payload: dict[str, object]) -> bytes:
    return orjson.dumps(
        {
            "event_id": str(uuid4()),
            "type": event_type,
            "version": version,
            "stream_id": str(SHOW),
            "seq": 7,
            "occurred_at": "2030-01-01T12:00:00Z",
            "correlation_id": str(uuid4()),
            "causation_id": None,
            "payload": payload,
        }
    )


def test_an_unknown_type_gets_a_generic_summary() -> None:
    raw = envelope_bytes(
        "SeatsSwapped",
        1,
        {"hold_id": str(HOLD), "expires_at": "2030-01-01T12:10:00+00:00", "seat_ids": ["A-1-1"], "n": 3},
    )
    line = describe(raw)
    assert (line.event_type, line.seq, line.show_id) == ("SeatsSwapped", 7, SHOW)
    assert line.summary == "SeatsSwapped v1: hold_id 3f2a0000…, expires_at 12:10:00Z, seat_ids A-1-1, n 3"


def test_an_unknown_version_of_a_known_type_gets_a_generic_summary() -> None:
    line = describe(envelope_bytes("events.SeatsHeld", 9, {"hold_id": str(HOLD), "note": {"a": 1}}))
    assert line.event_type == "events.SeatsHeld"
    assert line.summary == "events.SeatsHeld v9: hold_id 3f2a0000…, note {…}"


@pytest.mark.parametrize("raw", [b"not json", b"{}", b'{"type": "events.SeatsHeld"}'])
def test_bytes_that_are_no_event_say_so(raw: bytes) -> None:
    line = describe(raw)
    assert (line.event_type, line.seq, line.show_id) == ("?", None, None)
    assert line.summary.startswith("not an event: ")
