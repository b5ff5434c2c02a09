"""Tracing into memory for a test: the spans it records are kept for the test to read."""

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from infra.telemetry import start_tracing, stop_tracing


@contextmanager
def spans_in_memory() -> Iterator[InMemorySpanExporter]:
    """Tracing on (``infra.telemetry.start_tracing``) into the exporter yielded, for the block.

    Each span is exported as it ends; afterwards tracing is off again and the
    provider shut down, whatever the block raised.
    """
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    start_tracing(provider)
    try:
        yield spans
    finally:
        stop_tracing()
        provider.shutdown()
