"""Hold extension and the per-customer seat limit as pure functions."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from command_side.domain.errors import Conflict
from command_side.domain.hold_limits import (
    check_customer_limit,
    check_hold_extendable,
    decide_extension,
)
from command_side.domain.holds import HoldState

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
LIFETIME = 1800


def hold(status: str = "live", *, age: int = 60, expires_in: int = 300) -> HoldState:
    """A hold made ``age`` seconds ago that expires ``expires_in`` seconds from NOW."""
    return HoldState(
        uuid4(),
        uuid4(),
        "c1",
        status,
        ("A-1-1", "A-1-2"),
        NOW + timedelta(seconds=expires_in),
        NOW - timedelta(seconds=age),
    )


def test_an_extension_expires_ttl_seconds_from_now() -> None:
    extension = decide_extension(hold(), 600, LIFETIME, NOW)

    assert extension.extended
    assert extension.expires_at == NOW + timedelta(seconds=600)
    assert extension.max_expires_at == NOW - timedelta(seconds=60) + timedelta(seconds=LIFETIME)


def test_an_extension_is_capped_at_the_holds_maximum_lifetime() -> None:
    made_long_ago = hold(age=1500, expires_in=100)

    extension = decide_extension(made_long_ago, 3600, LIFETIME, NOW)

    assert extension.extended
    assert extension.expires_at == NOW + timedelta(seconds=300)  # 1800 s after it was made
    assert extension.expires_at == extension.max_expires_at


def test_a_hold_at_its_maximum_lifetime_cannot_be_extended() -> None:
    at_cap = hold(age=1500, expires_in=300)

    with pytest.raises(Conflict) as raised:
        decide_extension(at_cap, 600, LIFETIME, NOW)

    assert raised.value.code == "hold_lifetime_exceeded"
    assert raised.value.extra["max_expires_at"] == NOW + timedelta(seconds=300)
    assert raised.value.extra["expires_at"] == at_cap.expires_at


def test_asking_for_less_time_than_is_left_keeps_the_expiry() -> None:
    h = hold(expires_in=900)

    extension = decide_extension(h, 60, LIFETIME, NOW)

    assert not extension.extended
    assert extension.expires_at == h.expires_at


@pytest.mark.parametrize(
    ("h", "status"),
    [
        (hold("expired"), "expired"),
        (hold(expires_in=0), "expired"),
        (hold(expires_in=-5), "expired"),
        (hold("ordered"), "ordered"),
        (hold("released"), "released"),
    ],
)
def test_only_a_live_hold_within_its_ttl_is_extendable(h: HoldState, status: str) -> None:
    with pytest.raises(Conflict) as raised:
        decide_extension(h, 600, LIFETIME, NOW)

    assert raised.value.code == "hold_not_live"
    assert raised.value.extra == {"status": status}


def test_a_live_hold_is_extendable() -> None:
    check_hold_extendable(hold(expires_in=1), NOW)


def test_the_customer_limit_counts_what_the_customer_has() -> None:
    check_customer_limit(has=8, adding=2, limit=10)
    with pytest.raises(Conflict) as raised:
        check_customer_limit(has=8, adding=3, limit=10)

    assert raised.value.code == "customer_limit_reached"
    assert raised.value.extra == {"limit": 10, "customer_seats": 8, "requested": 3}


def test_a_zero_limit_is_no_limit() -> None:
    check_customer_limit(has=10_000, adding=20, limit=0)
