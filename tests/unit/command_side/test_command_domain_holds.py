"""Hold rules as pure functions: bounds, TTL policy, seat decisions, hold state."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from command_side.domain.errors import Conflict, Forbidden, Invalid
from command_side.domain.holds import (
    HoldPolicy,
    HoldState,
    SeatState,
    check_hold_live,
    check_hold_owner,
    check_quantity,
    check_seat_ids,
    decide_hold,
)

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


def test_ttl_defaults_and_bounds() -> None:
    policy = HoldPolicy(default_ttl=600, min_ttl=30, max_ttl=3600)
    assert policy.ttl(None) == 600
    assert policy.ttl(30) == 30
    assert policy.ttl(3600) == 3600
    for bad in (29, 3601, 0, -5):
        with pytest.raises(Invalid) as raised:
            policy.ttl(bad)
        assert raised.value.code == "ttl_out_of_range"


def test_seat_ids_are_bounded_distinct_and_sorted() -> None:
    assert check_seat_ids(["B-1-2", "A-1-1"]) == ("A-1-1", "B-1-2")
    with pytest.raises(Invalid) as raised:
        check_seat_ids(["A-1-1", "A-1-1"])
    assert raised.value.code == "duplicate_seats"
    assert raised.value.extra["seat_ids"] == ["A-1-1"]
    for bad in ([], [f"A-1-{n}" for n in range(1, 22)]):
        with pytest.raises(Invalid):
            check_seat_ids(bad)


def test_quantity_bounds() -> None:
    assert check_quantity(1) == 1
    assert check_quantity(10) == 10
    for bad in (0, 11, -1):
        with pytest.raises(Invalid):
            check_quantity(bad)


def free(seat: str) -> SeatState:
    return SeatState(seat, "available", None, None, None)


def test_decide_hold_lists_unknown_and_taken_seats() -> None:
    taken = SeatState("A-1-2", "held", uuid4(), None, NOW + timedelta(seconds=1))
    sold = SeatState("A-1-3", "sold", uuid4(), uuid4(), None)
    with pytest.raises(Invalid) as unknown:
        decide_hold(["A-1-1", "Z-9-9"], [free("A-1-1")], NOW)
    assert unknown.value.extra["seat_ids"] == ["Z-9-9"]
    with pytest.raises(Conflict) as conflict:
        decide_hold(["A-1-1", "A-1-2", "A-1-3"], [free("A-1-1"), taken, sold], NOW)
    assert conflict.value.code == "seats_unavailable"
    assert conflict.value.extra["seat_ids"] == ["A-1-2", "A-1-3"]


def test_a_lapsed_hold_is_free_and_reported_for_expiry() -> None:
    lapsed_hold = uuid4()
    lapsed = SeatState("A-1-2", "held", lapsed_hold, None, NOW)
    assert decide_hold(["A-1-1", "A-1-2"], [free("A-1-1"), lapsed], NOW) == (lapsed_hold,)
    assert decide_hold(["A-1-1"], [free("A-1-1")], NOW) == ()


def test_a_pending_order_seat_never_lapses_with_its_hold() -> None:
    pending = SeatState("A-1-2", "held", uuid4(), uuid4(), None)
    with pytest.raises(Conflict):
        decide_hold(["A-1-2"], [pending], NOW)


def hold(status: str = "live", expires_in: int = 60) -> HoldState:
    return HoldState(
        uuid4(),
        uuid4(),
        "c1",
        status,
        ("A-1-1",),
        NOW + timedelta(seconds=expires_in),
        NOW - timedelta(minutes=1),
    )


def test_hold_state_checks() -> None:
    check_hold_live(hold(), NOW)
    cases = {
        "hold_expired": [hold(expires_in=0), hold("expired")],
        "hold_already_used": [hold("ordered")],
        "hold_not_live": [hold("released")],
    }
    for code, holds in cases.items():
        for h in holds:
            with pytest.raises(Conflict) as raised:
                check_hold_live(h, NOW)
            assert raised.value.code == code


def test_only_the_owner_or_an_operator_acts_on_a_hold() -> None:
    check_hold_owner(hold(), "c1")
    check_hold_owner(hold(), None)
    with pytest.raises(Forbidden):
        check_hold_owner(hold(), "c2")
