"""The W3C trace context as a ``traceparent`` string: what the outbox row, Kafka headers and HTTP carry.

Only the ``traceparent`` travels (no ``tracestate``, no baggage): it is all a
child span or a span link needs, and it fits a short text column.
"""

from collections.abc import Iterable

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanContext
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACEPARENT = "traceparent"
_HEADER = TRACEPARENT.encode()
_PROPAGATOR = TraceContextTextMapPropagator()


def traceparent_of(span: Span | None = None) -> str | None:
    """The ``traceparent`` of ``span`` (default: the current span); None when it has no valid context."""
    carrier: dict[str, str] = {}
    context = trace.set_span_in_context(span) if span is not None else None
    _PROPAGATOR.inject(carrier, context=context)
    return carrier.get(TRACEPARENT)


def context_of(traceparent: str | bytes | None) -> Context | None:
    """A context whose parent span is the one ``traceparent`` names; None when it is absent or invalid."""
    span_context = span_context_of(traceparent)
    return None if span_context is None else trace.set_span_in_context(trace.NonRecordingSpan(span_context))


def span_context_of(traceparent: str | bytes | None) -> SpanContext | None:
    """The remote span context ``traceparent`` names; None when it is absent or invalid."""
    if not traceparent:
        return None
    value = traceparent.decode("latin-1") if isinstance(traceparent, bytes) else traceparent
    span_context = trace.get_current_span(_PROPAGATOR.extract({TRACEPARENT: value})).get_span_context()
    return span_context if span_context.is_valid else None


def traceparent_header(headers: Iterable[tuple[bytes, bytes]]) -> bytes | None:
    """The ``traceparent`` among raw (lower-case) HTTP header pairs, as ASGI gives them."""
    for name, value in headers:
        if name == _HEADER:
            return value
    return None


def links_to(traceparents: Iterable[str | bytes | None]) -> list[Link]:
    """A span link per valid ``traceparent``, one per distinct span context, in the given order."""
    seen: dict[tuple[int, int], Link] = {}
    for value in traceparents:
        span_context = span_context_of(value)
        if span_context is not None:
            seen.setdefault((span_context.trace_id, span_context.span_id), Link(span_context))
    return list(seen.values())
