"""One valid payload of every event type, shared by the contract tests (which import it)."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from contracts import events

NOW = datetime(2026, 3, 1, 19, 30, tzinfo=UTC)
SHOW_ID = UUID("8d3c2f4e-1b6a-4c0e-9f57-2a8e1c3d4b5f")
LINES = (
    events.OrderLine(seat_id="A-1-1", zone_id="A", price_cents=4500),
    events.OrderLine(seat_id="A-1-2", zone_id="A", price_cents=4500),
)


def sample_payloads() -> list[events.EventPayload]:
    """A payload of every v1 type, with every optional field filled somewhere."""
    hold_id = uuid4()
    order: dict[str, Any] = {"order_id": uuid4(), "customer_id": "c-1", "lines": LINES}  # one order's events
    return [
        events.ShowScheduled(
            show_id=SHOW_ID,
            venue_id=uuid4(),
            venue_name="Hall",
            title="Opening night",
            starts_at=NOW + timedelta(days=30),
            zones=(
                events.ZoneLayout(
                    zone_id="A", name="Stalls", price_cents=4500, rows=(events.RowLayout(row="1", seats=10),)
                ),
                events.ZoneLayout(
                    zone_id="B",
                    name="Balcony",
                    price_cents=2500,
                    rows=(events.RowLayout(row="1", seats=8), events.RowLayout(row="2", seats=6)),
                ),
            ),
        ),
        events.SeatsHeld(hold_id=hold_id, customer_id="c-1", seat_ids=("A-1-1", "A-1-2"), expires_at=NOW),
        events.HoldReleased(hold_id=hold_id, customer_id="c-1", seat_ids=("A-1-1",), reason="expired"),
        events.OrderPlaced(**order, hold_id=hold_id, referrer_id="partner-7", total_cents=9000, pay_by=NOW),
        events.OrderPaid(**order, referrer_id=None, amount_cents=9000, paid_at=NOW),
        events.OrderCancelled(
            **order,
            referrer_id="partner-7",
            previous_status="paid",
            refunded_cents=9000,
            paid_at=NOW,
            reason="customer asked",
        ),
        events.OrderExpired(**order, referrer_id=None),
        events.HoldExtended(
            hold_id=hold_id,
            customer_id="c-1",
            seat_ids=("A-1-1", "A-1-2"),
            expires_at=NOW + timedelta(minutes=5),
        ),
    ]


def test_the_samples_cover_every_published_type() -> None:
    assert {type(p) for p in sample_payloads()} == set(events.ALL_PAYLOADS)


def test_zone_capacity_is_the_sum_of_its_rows() -> None:
    show = sample_payloads()[0]
    assert isinstance(show, events.ShowScheduled)
    assert [zone.capacity for zone in show.zones] == [10, 14]
