"""Stopping a background task: cancelled, waited for, its cancellation kept from the caller."""

import asyncio

import pytest

from infra.tasks import cancel_and_wait


async def test_a_running_task_is_cancelled_and_finished_when_it_returns() -> None:
    task = asyncio.create_task(asyncio.sleep(3600))
    await asyncio.sleep(0)

    await cancel_and_wait(task)

    assert task.done()
    assert task.cancelled()


async def test_no_task_is_nothing_to_stop() -> None:
    await cancel_and_wait(None)


async def test_a_task_that_failed_raises_its_error() -> None:
    async def fail() -> None:
        raise ValueError("broken")

    task = asyncio.create_task(fail())
    await asyncio.wait([task])

    with pytest.raises(ValueError, match="broken"):
        await cancel_and_wait(task)
