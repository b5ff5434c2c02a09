"""Polling in tests: the first value that holds is returned; a bound passed fails, naming the last value."""

import itertools

import pytest

from tests.support.polling import eventually, first_that


async def test_the_first_value_that_holds_is_returned() -> None:
    counter = itertools.count()

    async def read() -> int:
        return next(counter)

    assert await first_that(read, lambda n: n >= 3, within=10, every=0, what="the count") == 3


async def test_a_value_that_never_holds_fails_with_what_and_the_last_value() -> None:
    async def read() -> str:
        return "still starting"

    with pytest.raises(AssertionError, match="the worker never got there: 'still starting'"):
        await first_that(read, lambda s: s == "ready", within=0.05, every=0.01, what="the worker")


async def test_eventually_waits_for_a_check_to_become_true() -> None:
    calls = itertools.count(1)
    await eventually(lambda: next(calls) >= 3, within=10, every=0, what="three calls")
    assert next(calls) == 4
    with pytest.raises(AssertionError, match="never"):
        await eventually(lambda: False, within=0.05, every=0.01, what="nothing")
