"""Request timing by route template (never by raw path), for Prometheus.

``RouteTiming`` is pure ASGI (no per-request task or body buffering): it notes
the status the app answered and hands the method, route template, status and
duration to the API's ``RouteObserver``, which owns the metric names and labels.
A request that matched no route (or that raised before answering) is reported
under the ``unmatched`` label, with status 500 if nothing was answered.
"""

from time import perf_counter
from typing import Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from infra.http.answer import Answer, route_template
from infra.http.http_only import HttpMiddleware


class RouteObserver(Protocol):
    def observe(self, method: str, route: str, status: int, seconds: float) -> None: ...


class RouteTiming(HttpMiddleware):
    """Times each HTTP request and reports it to ``observer`` once the app is done with it."""

    def __init__(self, app: ASGIApp, observer: RouteObserver, unmatched: str) -> None:
        super().__init__(app)
        self.observer = observer
        self.unmatched = unmatched

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = perf_counter()
        answer = Answer(send)
        try:
            await self.app(scope, receive, answer.send)
        finally:
            route = route_template(scope) or self.unmatched
            self.observer.observe(scope["method"], route, answer.status, perf_counter() - started)
