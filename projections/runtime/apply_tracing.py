"""The projector's apply span: one per batch, linked to the trace of every event in it.

Used by the runner only while tracing is on (``infra.telemetry``). The relay
puts each event's trace context in its Kafka record's ``traceparent`` header;
the batch's span carries a link per distinct context. When every traced event
of the batch belongs to one trace (a quiet system: one command's events), the
span is also a child in that trace, so the command's trace shows where its
events were applied; a batch mixing traces starts a trace of its own.
"""

from collections.abc import Awaitable, Iterable, Mapping, Sequence
from typing import Any

from aiokafka import TopicPartition
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind
from opentelemetry.util.types import AttributeValue

from infra.telemetry import TRACEPARENT, links_to, traced
from projections.runtime.batch import BatchResult
from projections.runtime.decoding import Incoming
from projections.runtime.versions import Version


def _traceparent(headers: Iterable[tuple[str, bytes]] | None) -> bytes | None:
    for name, value in headers or ():
        if name == TRACEPARENT:
            return value
    return None


def _outcome(result: BatchResult) -> dict[str, AttributeValue]:
    return {
        "boxoffice.batch.applied": result.applied,
        "boxoffice.batch.duplicates": result.duplicates,
        "boxoffice.batch.parked": result.parked,
        "boxoffice.batch.dead_letters": result.dead,
    }


async def traced_apply(
    version: Version,
    fetched: Mapping[TopicPartition, Sequence[Any]],
    batch: Sequence[Incoming],
    committing: Awaitable[BatchResult],
) -> BatchResult:
    """Await ``committing`` (the batch's ``BatchWriter.commit``) in a CONSUMER span ``"<projection> apply"``.

    ``fetched`` is what the consumer returned (aiokafka records by partition,
    with their headers); only the records that made it into ``batch`` are linked.
    """
    taken = {(item.record.partition, item.record.offset) for item in batch}
    links = links_to(
        _traceparent(record.headers)
        for partition, records in fetched.items()
        for record in records
        if (partition.partition, record.offset) in taken
    )
    traces = {link.context.trace_id for link in links}
    parent = (
        trace.set_span_in_context(trace.NonRecordingSpan(links[0].context)) if len(traces) == 1 else Context()
    )
    return await traced(
        f"{version.projection} apply",
        committing,
        kind=SpanKind.CONSUMER,
        parent=parent,
        links=links,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.destination.name": version.topic,
            "messaging.batch.message_count": len(batch),
            "boxoffice.projection": version.projection,
            "boxoffice.projection.version": version.version,
        },
        outcome=_outcome,
    )
