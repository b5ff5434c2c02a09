"""Order rules as pure functions: lines, payment checks, cancellation and refunds, expiry."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from command_side.domain.errors import Conflict, Forbidden, Invalid
from command_side.domain.layout import RowSpec, ZoneSpec, check_prices, validate_layout
from command_side.domain.orders import (
    OrderState,
    check_order_owner,
    check_payment,
    is_overdue,
    order_lines,
    refund_for_cancel,
)

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


def order(status: str = "pending", pay_in: int = 60) -> OrderState:
    lines, total = order_lines({"A-1-1": "A", "B-1-1": "B"}, {"A": 5000, "B": 2500})
    return OrderState(
        uuid4(), uuid4(), uuid4(), "c1", None, status, lines, total, NOW + timedelta(seconds=pay_in), None
    )


def test_lines_are_priced_by_zone_and_totalled() -> None:
    lines, total = order_lines({"B-1-1": "B", "A-1-1": "A"}, {"A": 5000, "B": 2500})
    assert [(line.seat_id, line.price_cents) for line in lines] == [("A-1-1", 5000), ("B-1-1", 2500)]
    assert total == 7500


def test_payment_needs_a_pending_order_in_time_and_the_exact_amount() -> None:
    check_payment(order(), 7500, NOW)
    with pytest.raises(Invalid) as wrong:
        check_payment(order(), 7499, NOW)
    assert wrong.value.code == "wrong_amount"
    assert wrong.value.extra["expected_cents"] == 7500
    for late in (order("cancelled"), order("expired"), order("paid"), order(pay_in=0)):
        with pytest.raises(Conflict) as refused:
            check_payment(late, 7500, NOW)
        assert refused.value.code == "order_not_payable"


def test_cancellation_refunds_a_paid_order_in_full_and_nothing_else() -> None:
    assert refund_for_cancel(order("pending")) == 0
    assert refund_for_cancel(order("paid")) == 7500
    for ended in ("cancelled", "expired"):
        with pytest.raises(Conflict):
            refund_for_cancel(order(ended))


def test_overdue_only_for_pending_orders_past_pay_by() -> None:
    assert is_overdue(order(pay_in=0), NOW)
    assert not is_overdue(order(pay_in=1), NOW)
    assert not is_overdue(order("paid", pay_in=-10), NOW)


def test_only_the_owner_or_an_operator_acts_on_an_order() -> None:
    check_order_owner(order(), "c1")
    check_order_owner(order(), None)
    with pytest.raises(Forbidden):
        check_order_owner(order(), "c2")


def test_layout_yields_stable_seat_ids_and_refuses_duplicates() -> None:
    zones = [ZoneSpec("A", "Stalls", (RowSpec("1", 2), RowSpec("2", 1)))]
    seats = validate_layout(zones)
    assert [(s.seat_id, s.row_ordinal) for s in seats] == [("A-1-1", 0), ("A-1-2", 0), ("A-2-1", 1)]
    with pytest.raises(Invalid):
        validate_layout([zones[0], zones[0]])
    with pytest.raises(Invalid):
        validate_layout([ZoneSpec("A", "x", (RowSpec("1", 1), RowSpec("1", 1)))])


def test_prices_must_cover_exactly_the_venue_zones() -> None:
    check_prices(["A", "B"], {"A": 1, "B": 0})
    with pytest.raises(Invalid) as raised:
        check_prices(["A", "B"], {"A": 1, "C": 2})
    assert raised.value.extra == {"missing_zones": ["B"], "unknown_zones": ["C"]}
