"""The relay's publish spans: each event continues the trace of the command that wrote it.

Used by ``KafkaEventPublisher`` only while tracing is on (``infra.telemetry``).
"""

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from opentelemetry.trace import Span, SpanKind, StatusCode

from command_side.worker.outbox_rows import StoredEvent
from contracts import partition_key
from infra.telemetry import TRACEPARENT, context_of, traceparent_of, tracing


async def publish_traced(producer: AIOKafkaProducer, topic: str, events: Sequence[StoredEvent]) -> None:
    """Send ``events`` in order and wait for every ack, as ``KafkaEventPublisher.publish`` does.

    An event whose outbox row carries a trace context is sent under a PRODUCER
    span ``"<topic> publish"``, child of that context, which ends when the
    broker acknowledged it (or the batch failed: status ERROR); the record's
    ``traceparent`` header names that span, so consumers link to it. An event
    without one (its command was not traced) is sent as it is, without a span
    or header.
    """
    spans: list[Span] = []
    try:
        acks = []
        for event in events:
            headers = None
            parent = context_of(event.traceparent)
            if parent is not None:
                span = tracing.tracer.start_span(
                    f"{topic} publish",
                    context=parent,
                    kind=SpanKind.PRODUCER,
                    attributes={
                        "messaging.system": "kafka",
                        "messaging.operation.type": "send",
                        "messaging.destination.name": topic,
                        "boxoffice.show_id": str(event.show_id),
                        "boxoffice.seq": event.seq,
                    },
                )
                spans.append(span)
                traceparent = traceparent_of(span)
                headers = [(TRACEPARENT, traceparent.encode())] if traceparent else None
            key = partition_key(event.show_id)
            acks.append(await producer.send(topic, value=event.body, key=key, headers=headers))
        await asyncio.gather(*acks)
    except BaseException as exc:
        for span in spans:
            span.record_exception(exc)
            span.set_status(StatusCode.ERROR, type(exc).__name__)
        raise
    finally:
        for span in spans:
            span.end()
