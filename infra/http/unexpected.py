"""The last line of defence of an API: any unexpected exception becomes a JSON 500.

Starlette's own fallback answers ``text/plain`` and re-raises, and uvicorn then
closes a kept-alive connection. This middleware, the outermost of the app's
own, answers ``{"error": {"code": "internal_error", "message", "correlation_id"}}``,
logs the stack trace under the same correlation id, and does not re-raise, so
the connection stays usable for the client's next request.
"""

import logging
from uuid import UUID, uuid4

import orjson
from starlette.types import Receive, Scope, Send

from infra.http.answer import Answer
from infra.http.http_only import HttpMiddleware

log = logging.getLogger("boxoffice.unexpected")

CORRELATION_HEADER = b"x-correlation-id"


def correlation_id_of(scope: Scope) -> str:
    """The caller's ``X-Correlation-Id`` when it is a UUID, else a new one."""
    for name, value in scope.get("headers", ()):
        if name == CORRELATION_HEADER:
            try:
                return str(UUID(value.decode("latin-1")))
            except ValueError:
                break
    return str(uuid4())


class UnexpectedErrors(HttpMiddleware):
    """Answer an unexpected exception with the JSON error shape and keep the connection open."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = Answer(send)
        try:
            await self.app(scope, receive, answer.send)
        except Exception:
            correlation_id = correlation_id_of(scope)
            log.exception(
                "unexpected error answering %s %s (correlation_id=%s)",
                scope.get("method"),
                scope.get("path"),
                correlation_id,
            )
            if answer.started:
                raise  # a half-sent answer cannot be mended; the server closes the connection
            body = orjson.dumps(
                {
                    "error": {
                        "code": "internal_error",
                        "message": "the server failed to answer; the error is logged under correlation_id",
                        "correlation_id": correlation_id,
                    }
                }
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (CORRELATION_HEADER, correlation_id.encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
