"""Running a piece of work inside a span: the one helper the sides' hook lines call."""

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from opentelemetry.context import Context
from opentelemetry.trace import Link, SpanKind
from opentelemetry.util.types import Attributes

from infra.telemetry.switch import tracing

T = TypeVar("T")


async def traced(
    name: str,
    work: Awaitable[T],
    *,
    attributes: Attributes = None,
    kind: SpanKind = SpanKind.INTERNAL,
    parent: Context | None = None,
    links: Sequence[Link] = (),
    outcome: Callable[[T], Attributes] | None = None,
) -> T:
    """Await ``work`` in a span named ``name``, current while it runs, so its own spans are children.

    The span's parent is ``parent`` when given, else the current span (a new
    trace when there is none). ``outcome`` turns the result into attributes.
    An exception is recorded on the span (status ERROR) and propagates.
    Callers check ``tracing.on`` first and await ``work`` directly when it is
    off, so this costs nothing then.
    """
    with tracing.tracer.start_as_current_span(
        name, context=parent, kind=kind, attributes=attributes, links=links
    ) as span:
        result = await work
        if outcome is not None and span.is_recording():
            described = outcome(result)
            if described:
                span.set_attributes(described)
        return result
