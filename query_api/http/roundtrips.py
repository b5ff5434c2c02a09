"""Counting each request's database round trips, for ``boxoffice_query_db_roundtrips``.

A request's count lives in a context variable set by ``CountRoundTrips`` (pure
ASGI, around everything the request runs, the fast path included); SQLAlchemy's
engine events add to it: one per statement, one for the transaction's BEGIN
(psycopg sends it with the first statement, a round trip of its own) and one
for its COMMIT or ROLLBACK. Work outside a request (the LISTEN connection, the
tracker's re-reads) has no count and is not counted. A request answered from
memory observes 0.
"""

from contextvars import ContextVar
from typing import Any

from prometheus_client import Histogram
from sqlalchemy import event
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

# A one-element list: SQLAlchemy runs the events in a greenlet sharing the request's context, and
# a mutable holder is what a copied context (a thread-pool dependency) still shares.
_COUNT: ContextVar[list[int] | None] = ContextVar("boxoffice_query_roundtrips", default=None)
_EVENTS = ("before_cursor_execute", "begin", "commit", "rollback")


def _one_more(*_: Any, **__: Any) -> None:
    count = _COUNT.get()
    if count is not None:
        count[0] += 1


def count_roundtrip() -> None:
    """One round trip the engine does not see (a statement sent on the driver's own cursor)."""
    _one_more()


def listen_to_engines() -> None:
    """Count the round trips of every engine of this process (idempotent; engines made later too)."""
    for name in _EVENTS:
        if not event.contains(Engine, name, _one_more):
            event.listen(Engine, name, _one_more)


class CountRoundTrips:
    """Observes each HTTP request's round trips in ``histogram`` once the app is done with it."""

    def __init__(self, app: ASGIApp, histogram: Histogram) -> None:
        self.app = app
        self.histogram = histogram
        listen_to_engines()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        count = [0]
        token = _COUNT.set(count)
        try:
            await self.app(scope, receive, send)
        finally:
            _COUNT.reset(token)
            self.histogram.observe(count[0])
