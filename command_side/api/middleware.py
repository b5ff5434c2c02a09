"""Request-body size limit (ASGI middleware) and the Prometheus request latency by route."""

from prometheus_client import CollectorRegistry, Histogram
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.http.errors import error_response
from infra.http.http_only import HttpMiddleware

UNMATCHED = "unmatched"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class BodyLimit(HttpMiddleware):
    """Refuse bodies over ``max_bytes`` with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            response = error_response(
                413, "payload_too_large", f"bodies are limited to {self.max_bytes} bytes"
            )
            await response(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI re-raises HTTPException from body reading; the error handler shapes it
                    raise HTTPException(413, f"bodies are limited to {self.max_bytes} bytes")
            return message

        await self.app(scope, limited, send)


class CommandRequestMetrics:
    """``boxoffice_command_request_seconds{method,route,status}``: latency by route template.

    Reported by ``infra.http.metrics.RouteTiming`` (``UNMATCHED`` for a request no route matched).
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self.latency = Histogram(
            "boxoffice_command_request_seconds",
            "Command API request latency by route template.",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.latency.labels(method, route, str(status)).observe(seconds)
