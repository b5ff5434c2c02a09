"""Tracing with OpenTelemetry: one trace per command across the processes it crosses; off by default.

Each process calls ``configure_tracing(default_service_name)`` once at
start-up; the standard ``OTEL_*`` variables decide the rest (``setup``). Hot
paths read ``tracing.on`` and do nothing more when it is False.

The trace context travels as a W3C ``traceparent`` (``propagation``): in HTTP
requests (``asgi.TraceRequests``), in the outbox row a command writes, and in
the Kafka record the relay publishes from it.
"""

from infra.telemetry.propagation import (
    TRACEPARENT,
    context_of,
    links_to,
    span_context_of,
    traceparent_header,
    traceparent_of,
)
from infra.telemetry.setup import configure_tracing, start_tracing, stop_tracing
from infra.telemetry.spans import traced
from infra.telemetry.switch import TracingSwitch, tracing

__all__ = [
    "TRACEPARENT",
    "TracingSwitch",
    "configure_tracing",
    "context_of",
    "links_to",
    "span_context_of",
    "start_tracing",
    "stop_tracing",
    "traced",
    "traceparent_header",
    "traceparent_of",
    "tracing",
]
