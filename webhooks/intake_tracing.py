"""The webhook intake's span: recording an event's deliveries, in the trace of the command behind it.

Used by the intake only while tracing is on (``infra.telemetry``): the relay
puts each event's trace context in its record's ``traceparent`` header, and the
span is its child (a trace of its own when the record has none).
"""

from collections.abc import Awaitable, Mapping
from typing import Any

from opentelemetry.context import Context
from opentelemetry.trace import SpanKind

from infra.telemetry import TRACEPARENT, context_of, traced
from webhooks.store import IncomingEvent


def recording_span(
    headers: Mapping[str, Any], event: IncomingEvent, recording: Awaitable[int]
) -> Awaitable[int]:
    """``recording`` (``DeliveryRecorder.record``) in a CONSUMER span ``"webhooks record"``."""
    raw = headers.get(TRACEPARENT)
    parent = context_of(raw if isinstance(raw, str | bytes) else None) or Context()
    return traced(
        "webhooks record",
        recording,
        kind=SpanKind.CONSUMER,
        parent=parent,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "boxoffice.event_type": event.event_type,
            "boxoffice.show_id": str(event.show_id),
            "boxoffice.seq": event.seq,
        },
        outcome=lambda deliveries: {"boxoffice.webhooks.deliveries": deliveries},
    )
