"""A process's work gets its stop event set by SIGINT or SIGTERM, and finishes instead of dying."""

import asyncio
import os
import signal
from collections.abc import AsyncIterator

import pytest

from infra.stop_signals import STOP_SIGNALS, until_signalled


@pytest.fixture
async def restore_signals() -> AsyncIterator[None]:
    yield
    for sig in STOP_SIGNALS:
        asyncio.get_running_loop().remove_signal_handler(sig)


@pytest.mark.usefixtures("restore_signals")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
async def test_either_signal_sets_the_stop_event_and_the_work_returns(sig: signal.Signals) -> None:
    async def work(stop: asyncio.Event) -> str:
        asyncio.get_running_loop().call_soon(os.kill, os.getpid(), sig)
        await asyncio.wait_for(stop.wait(), timeout=30)
        return "finished"

    assert await until_signalled(work) == "finished"


@pytest.mark.usefixtures("restore_signals")
async def test_the_stop_event_is_not_set_before_a_signal() -> None:
    async def work(stop: asyncio.Event) -> bool:
        await asyncio.sleep(0)
        return stop.is_set()

    assert await until_signalled(work) is False
