"""The base of the APIs' pure ASGI middlewares, which act on HTTP requests only."""

from abc import ABC, abstractmethod

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpMiddleware(ABC):
    """Hands each HTTP request to :meth:`handle`; every other scope (lifespan, websocket) goes to
    the app untouched, so startup and shutdown never pass through a request's logic."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.handle(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    @abstractmethod
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer, or pass on to ``self.app``, one HTTP request."""
