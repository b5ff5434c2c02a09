"""Stopping background tasks."""

import asyncio
import contextlib
from typing import Any


async def cancel_and_wait(task: "asyncio.Task[Any] | None") -> None:
    """Cancel ``task`` (None: nothing to stop) and wait until it has finished.

    The task's cancellation is not passed on, so the caller goes on with its
    own shutdown; a task that had already failed raises its error here, as
    awaiting it would.
    """
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
