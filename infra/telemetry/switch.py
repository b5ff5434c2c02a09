"""Whether this process traces: one flag the hot paths read, and the tracer to use when it is set."""

from opentelemetry import trace


class TracingSwitch:
    """``on`` is False until tracing is started (``infra.telemetry.setup``); ``tracer`` is then the SDK's.

    Hot paths test ``tracing.on`` and, when it is False, build no span, context
    or header: that attribute read is the whole cost of tracing being off.
    """

    __slots__ = ("on", "tracer")

    def __init__(self) -> None:
        self.on = False
        self.tracer: trace.Tracer = trace.NoOpTracer()


tracing = TracingSwitch()
