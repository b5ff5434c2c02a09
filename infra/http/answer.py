"""What an app answered an HTTP request, as an ASGI middleware sees it on the way out.

Timing, tracing and the last-line error handler each wrap the app's ``send`` to
learn whether the response started and with which status, and read the route
template the router matched (never the raw path, whose ids would make every
request a label of its own).
"""

from starlette.types import Message, Scope, Send

SERVER_ERROR = 500


class Answer:
    """Wraps a request's ``send`` (pass :meth:`send` to the app). ``started`` once the app began its
    response, ``status`` that response's status; until then ``status`` is 500, so a request the app
    raised on before answering counts as the server's error."""

    __slots__ = ("_send", "started", "status")

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False
        self.status = SERVER_ERROR

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            self.status = message["status"]
        await self._send(message)


def route_template(scope: Scope) -> str | None:
    """The template of the route that matched the request (``/v1/shows/{show_id}``); None when no
    route matched (yet: the router sets it while the app runs)."""
    path: str | None = getattr(scope.get("route"), "path", None)
    return path
