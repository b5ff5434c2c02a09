"""Starting tracing in a process, from the standard ``OTEL_*`` environment variables only.

Tracing is off unless ``OTEL_TRACES_EXPORTER`` names an exporter:

- ``OTEL_TRACES_EXPORTER``: comma-separated ``otlp`` (OTLP over HTTP/protobuf),
  ``console`` (one JSON line per span on stdout), ``none`` (the default);
- ``OTEL_SERVICE_NAME`` (else ``service.name`` of ``OTEL_RESOURCE_ATTRIBUTES``,
  else the process's default name);
- ``OTEL_EXPORTER_OTLP_ENDPOINT`` / ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``,
  headers and timeout: read by the OTLP exporter itself;
- ``OTEL_TRACES_SAMPLER`` / ``OTEL_TRACES_SAMPLER_ARG``: read by the SDK
  (default ``parentbased_always_on``, so a caller's sampling decision holds);
- ``OTEL_SDK_DISABLED=true`` turns everything off.

When off, no tracer provider is installed and ``tracing.on`` stays False.
Spans are exported in the background (``BatchSpanProcessor``) and flushed when
the process exits. The provider is this module's, not OpenTelemetry's global
one, so libraries that trace themselves when a global provider is set (FastAPI
does) stay silent: each request has the one server span of ``asgi.TraceRequests``.
"""

import logging
import os
import sys

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

from infra.telemetry.switch import tracing

log = logging.getLogger(__name__)
TRACER_NAME = "boxoffice"
EXPORTERS = ("otlp", "console")


def exporter_names() -> list[str]:
    """The exporters ``OTEL_TRACES_EXPORTER`` asks for (empty: tracing off)."""
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    raw = os.environ.get("OTEL_TRACES_EXPORTER", "none")
    names = [n.strip().lower() for n in raw.split(",") if n.strip()]
    if "none" in names:
        return []
    unknown = [n for n in names if n not in EXPORTERS]
    if unknown:
        log.warning("OTEL_TRACES_EXPORTER: unknown exporter(s) %s ignored (known: otlp, console)", unknown)
    return [n for n in names if n in EXPORTERS]


def configure_tracing(default_service_name: str) -> bool:
    """Start tracing as the ``OTEL_*`` variables say; whether it is on. Call once, at process start-up.

    A second call in the same process changes nothing.
    """
    if tracing.on:
        return True
    names = exporter_names()
    if not names:
        return False
    resource = Resource.create()
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: default_service_name}))
    provider = TracerProvider(resource=resource)  # the sampler comes from OTEL_TRACES_SAMPLER
    for name in names:
        provider.add_span_processor(BatchSpanProcessor(_exporter(name)))
    # Not made the global provider: FastAPI's own telemetry would then add a second server span and
    # per-dependency spans to every request. Only boxoffice's spans (``tracing.tracer``) are recorded.
    start_tracing(provider)
    log.info("tracing on: service %s, exporter(s) %s", resource.attributes[SERVICE_NAME], ", ".join(names))
    return True


def _exporter(name: str) -> SpanExporter:
    if name == "console":
        return ConsoleSpanExporter(out=sys.stdout, formatter=_one_line)
    # Imported only when asked for: the OTLP exporter pulls in protobuf and requests.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # noqa: PLC0415

    return OTLPSpanExporter()


def _one_line(span: ReadableSpan) -> str:
    """One JSON document per line, so each span stays one line of the process's log."""
    return str(span.to_json(indent=None)) + "\n"


def start_tracing(provider: trace.TracerProvider) -> None:
    """Trace with ``provider`` from now on (what tests call with an in-memory exporter)."""
    tracing.tracer = provider.get_tracer(TRACER_NAME)
    tracing.on = True


def stop_tracing() -> None:
    """Stop tracing (spans already started still end and export)."""
    tracing.on = False
    tracing.tracer = trace.NoOpTracer()
