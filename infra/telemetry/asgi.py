"""A SERVER span per HTTP request, continuing the caller's W3C ``traceparent`` (pure ASGI).

Installed by an API's composition root only when tracing is on, so an API
that does not trace does not pay even for the extra ASGI layer.
"""

from fastapi.telemetry import TelemetryConfig
from opentelemetry.trace import SpanKind, StatusCode
from starlette.types import ASGIApp, Receive, Scope, Send

from infra.http.answer import SERVER_ERROR, Answer, route_template
from infra.telemetry.propagation import context_of, traceparent_header
from infra.telemetry.switch import tracing

# For ``FastAPI(telemetry=...)``: FastAPI's own OpenTelemetry layer off, since an API's spans come
# from TraceRequests; left on, it asks the global providers whether it is on at every request
# (about 25 us each).
FASTAPI_TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


class TraceRequests:
    """Runs each HTTP request inside a span ``"<METHOD> <route template>"``, current for the app.

    The parent is the caller's ``traceparent`` header when it is valid (a new
    trace otherwise). The span notes the route template (never the raw path's
    ids in its name), the status answered, and is an error for a 5xx or an
    exception; it ends once the app is done with the request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not tracing.on:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        answer = Answer(send)

        with tracing.tracer.start_as_current_span(
            method,
            context=context_of(traceparent_header(scope["headers"])),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": scope["path"]},
        ) as span:
            try:
                await self.app(scope, receive, answer.send)
            finally:
                route = route_template(scope)
                if route:
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", answer.status)
                if answer.status >= SERVER_ERROR:
                    span.set_status(StatusCode.ERROR)
