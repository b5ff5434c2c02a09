"""The dependency giving a route what its composition root stored on ``app.state``."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import Request

T = TypeVar("T")


def app_state(name: str, kind: type[T]) -> Callable[[Request], Awaitable[T]]:
    """An async dependency answering ``app.state.<name>`` (a ``kind``).

    Async on purpose: FastAPI runs a plain ``def`` dependency in its thread pool,
    a costly hop on every request.
    """

    async def state_of(request: Request) -> T:
        state: T = getattr(request.app.state, name)
        return state

    state_of.__name__ = f"{name}_state"
    return state_of
