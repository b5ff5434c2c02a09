"""Event timestamps are UTC: a non-UTC datetime is refused when an event is built, text is normalised."""

from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import orjson
import pytest
from pydantic import ValidationError

from contracts import OrderCancelled, OrderLine, OrderPaid, decode_event, encode_event, new_envelope

KIRITIMATI = timezone(timedelta(hours=14))
LINES = (OrderLine(seat_id="A-1-1", zone_id="A", price_cents=100),)


def _paid(paid_at: datetime) -> OrderPaid:
    return OrderPaid(
        order_id=uuid4(), customer_id="c", referrer_id=None, lines=LINES, amount_cents=100, paid_at=paid_at
    )


def test_an_event_built_with_a_non_utc_datetime_is_refused() -> None:
    with pytest.raises(ValidationError, match="must be UTC"):
        _paid(datetime(2030, 1, 1, 12, tzinfo=KIRITIMATI))
    with pytest.raises(ValidationError, match="must be UTC"):
        OrderCancelled(
            order_id=uuid4(),
            customer_id="c",
            referrer_id=None,
            lines=LINES,
            previous_status="paid",
            refunded_cents=100,
            paid_at=datetime(2030, 1, 1, 12, tzinfo=KIRITIMATI),
        )
    with pytest.raises(ValidationError, match="must be UTC"):
        new_envelope(
            _paid(datetime(2030, 1, 1, tzinfo=UTC)),
            stream_id=uuid4(),
            seq=1,
            correlation_id=uuid4(),
            occurred_at=datetime(2030, 1, 1, tzinfo=KIRITIMATI),
        )


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValidationError):
        _paid(datetime(2030, 1, 1, 12))


def test_an_offset_on_the_wire_is_read_as_the_same_instant_in_utc() -> None:
    envelope = new_envelope(
        _paid(datetime(2030, 1, 1, 11, tzinfo=UTC)), stream_id=uuid4(), seq=1, correlation_id=uuid4()
    )
    document = orjson.loads(encode_event(envelope))
    document["payload"]["paid_at"] = "2030-01-02T01:00:00+14:00"  # 11:00 UTC on Jan 1, another local day

    payload = decode_event(orjson.dumps(document)).payload
    assert isinstance(payload, OrderPaid)
    paid_at = payload.paid_at

    assert paid_at == datetime(2030, 1, 1, 11, tzinfo=UTC)
    assert paid_at.utcoffset() == timedelta(0)
    assert paid_at.date().isoformat() == "2030-01-01"
