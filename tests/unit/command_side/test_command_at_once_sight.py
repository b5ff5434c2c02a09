"""A one-statement hold the usual handler refuses at sight (a bad TTL, seat list or quantity; more
seats than the customer's limit) is left to that handler without a round trip: the attempt answers
None before it touches the connection, so the handler decides and words the refusal."""

from datetime import UTC, datetime
from typing import Any, cast
from uuid import uuid4

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from command_side.domain.commands import HoldBestAvailable, HoldSeats
from command_side.domain.holds import HoldPolicy
from command_side.handlers.best_at_once import hold_best_available_at_once
from command_side.handlers.hold_at_once import hold_seats_at_once
from command_side.handlers.runner import CommandContext

POLICY = HoldPolicy(min_ttl=30, max_ttl=3600, max_seats_per_customer=2)
CONTEXT = CommandContext(datetime(2030, 1, 1, tzinfo=UTC), uuid4(), uuid4())


class Untouchable:
    """A connection any use of which fails the test."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the attempt used the connection ({name}) for a hold refused at sight")


UNTOUCHABLE = cast(AsyncConnection, Untouchable())


@pytest.mark.parametrize(
    ("seat_ids", "ttl_seconds"),
    [
        (("A-1-1",), 5),  # TTL under the minimum
        ((), None),  # no seat
        (("A-1-1", "A-1-1"), None),  # a seat twice
        (("A-1-1", "A-1-2", "A-1-3"), None),  # over the customer's limit of 2
    ],
)
async def test_an_explicit_hold_refused_at_sight_is_left_to_the_handler(
    seat_ids: tuple[str, ...], ttl_seconds: int | None
) -> None:
    attempt = hold_seats_at_once(HoldSeats(uuid4(), "c1", seat_ids, ttl_seconds), POLICY)
    assert await attempt(UNTOUCHABLE, CONTEXT, None) is None


@pytest.mark.parametrize(("quantity", "ttl_seconds"), [(1, 99_999), (0, None), (3, None)])
async def test_a_best_available_hold_refused_at_sight_is_left_to_the_handler(
    quantity: int, ttl_seconds: int | None
) -> None:
    attempt = hold_best_available_at_once(
        HoldBestAvailable(uuid4(), "c1", "A", quantity, ttl_seconds), POLICY
    )
    assert await attempt(UNTOUCHABLE, CONTEXT, None) is None


async def test_a_hold_within_the_rules_does_go_to_the_connection() -> None:
    attempt = hold_seats_at_once(HoldSeats(uuid4(), "c1", ("A-1-1", "A-1-2"), None), POLICY)
    with pytest.raises(AssertionError, match="used the connection"):
        await attempt(UNTOUCHABLE, CONTEXT, None)
