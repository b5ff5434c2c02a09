"""Tracing (infra/telemetry): off unless OTEL_TRACES_EXPORTER names an exporter, and then what each span is.

No I/O: apps are built but not served, spans go to an in-memory exporter.
"""

import asyncio
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from aiokafka import TopicPartition
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from pydantic import SecretStr
from starlette.types import Receive, Scope, Send

from command_side.bootstrap import create_app as create_command_app
from command_side.settings import CommandSettings
from command_side.worker.outbox_rows import _UNPUBLISHED, UNPUBLISHED_TRACED
from infra.settings import ApiKeySettings, ServiceSettings
from infra.telemetry import (
    configure_tracing,
    links_to,
    span_context_of,
    stop_tracing,
    traced,
    traceparent_of,
    tracing,
)
from infra.telemetry.asgi import TraceRequests
from infra.telemetry.setup import exporter_names
from projections.runtime.apply_tracing import traced_apply
from projections.runtime.batch import BatchResult
from projections.runtime.decoding import Incoming, Record
from projections.runtime.versions import Version
from query_api.app import create_app as create_query_app
from tests.support.tracing import spans_in_memory

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
OTHER_TRACE = "0af7651916cd43dd8448eb211c80319c"
PARENT = f"00-{TRACE}-00f067aa0ba902b7-01"
OTEL_VARIABLES = ("OTEL_TRACES_EXPORTER", "OTEL_SDK_DISABLED", "OTEL_SERVICE_NAME")


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in OTEL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    with spans_in_memory() as exporter:
        yield exporter


@pytest.mark.parametrize(
    ("value", "names"),
    [
        (None, []),
        ("none", []),
        ("console", ["console"]),
        ("otlp, Console", ["otlp", "console"]),
        ("console,none", []),
        ("zipkin", []),
        ("zipkin,otlp", ["otlp"]),
    ],
)
def test_the_exporters_come_from_otel_traces_exporter(
    clean_environment: pytest.MonkeyPatch, value: str | None, names: list[str]
) -> None:
    if value is not None:
        clean_environment.setenv("OTEL_TRACES_EXPORTER", value)
    assert exporter_names() == names


def test_otel_sdk_disabled_turns_every_exporter_off(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("OTEL_TRACES_EXPORTER", "console")
    clean_environment.setenv("OTEL_SDK_DISABLED", "true")
    assert exporter_names() == []


@pytest.mark.parametrize("value", [None, "none"])
def test_off_by_default_installs_nothing(clean_environment: pytest.MonkeyPatch, value: str | None) -> None:
    if value is not None:
        clean_environment.setenv("OTEL_TRACES_EXPORTER", value)
    assert configure_tracing("boxoffice-test") is False
    assert tracing.on is False
    assert not isinstance(trace.get_tracer_provider(), TracerProvider)


@pytest.mark.parametrize(
    ("service_name", "expected"), [(None, "boxoffice-test"), ("checkout-7", "checkout-7")]
)
def test_an_exporter_starts_this_process_tracer_not_the_global_one(
    clean_environment: pytest.MonkeyPatch, service_name: str | None, expected: str
) -> None:
    clean_environment.setenv("OTEL_TRACES_EXPORTER", "console")
    if service_name is not None:
        clean_environment.setenv("OTEL_SERVICE_NAME", service_name)
    try:
        assert configure_tracing("boxoffice-test") is True
        assert tracing.on is True
        assert tracing.tracer.resource.attributes["service.name"] == expected  # type: ignore[attr-defined]
        # FastAPI traces itself when a global provider is set: it must stay unset
        assert not isinstance(trace.get_tracer_provider(), TracerProvider)
    finally:
        stop_tracing()


def _apps() -> tuple[FastAPI, FastAPI]:
    """Both APIs, built (not served: nothing connects) on a server that does not exist."""
    keys = ApiKeySettings(api_keys=SecretStr("operator:operator-key"))
    url = "postgresql+psycopg://nobody:x@127.0.0.1:1/none"
    settings = CommandSettings(database_url=url, kafka_bootstrap_servers="127.0.0.1:1")
    return create_command_app(settings, keys), create_query_app(services=ServiceSettings(database_url=url))


def test_with_tracing_off_the_apps_have_no_tracing_layer_and_nothing_is_recorded() -> None:
    assert not tracing.on
    for app in _apps():
        assert TraceRequests not in [getattr(m, "cls", None) for m in app.user_middleware]
    assert traceparent_of() is None  # what the outbox row would store: NULL


def test_with_tracing_on_the_apps_trace_requests(spans: InMemorySpanExporter) -> None:
    for app in _apps():
        assert TraceRequests in [getattr(m, "cls", None) for m in app.user_middleware]


def test_the_relay_reads_the_trace_context_only_while_tracing() -> None:
    assert "traceparent" not in _UNPUBLISHED
    assert UNPUBLISHED_TRACED.startswith(_UNPUBLISHED.split(" FROM ")[0] + ", traceparent FROM ")


def test_links_name_each_valid_context_once() -> None:
    other = f"00-{OTHER_TRACE}-b7ad6b7169203331-01"
    invalid = "00-" + "0" * 32 + "-" + "1" * 16 + "-01"  # an all-zero trace id is invalid
    links = links_to([PARENT, b"garbage", None, PARENT.encode(), other, invalid])
    assert [f"{link.context.trace_id:032x}" for link in links] == [TRACE, OTHER_TRACE]
    assert span_context_of("not a traceparent") is None


async def _answer(scope: Scope, receive: Receive, send: Send) -> None:
    scope["route"] = SimpleNamespace(path="/v1/shows/{show_id}/holds")
    await send({"type": "http.response.start", "status": 201, "headers": []})
    current = traceparent_of()
    await send({"type": "http.response.body", "body": current.encode() if current else b""})


async def test_a_request_span_continues_the_callers_traceparent(spans: InMemorySpanExporter) -> None:
    transport = httpx.ASGITransport(TraceRequests(_answer))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        response = await client.post("/v1/shows/1/holds", headers={"traceparent": PARENT})
    [span] = spans.get_finished_spans()
    assert span.name == "POST /v1/shows/{show_id}/holds"
    assert span.kind is SpanKind.SERVER
    assert span.context is not None
    assert f"{span.context.trace_id:032x}" == TRACE
    assert span.parent is not None
    assert span.parent.span_id == 0x00F067AA0BA902B7
    assert span.attributes is not None
    assert span.attributes["http.response.status_code"] == 201
    # the app ran inside the span: what it would store in the outbox names this span
    assert response.text == f"00-{TRACE}-{span.context.span_id:016x}-01"


async def test_a_request_without_traceparent_starts_a_trace(spans: InMemorySpanExporter) -> None:
    transport = httpx.ASGITransport(TraceRequests(_answer))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        await client.post("/v1/shows/1/holds", headers={"traceparent": "00-bad"})
    [span] = spans.get_finished_spans()
    assert span.parent is None


async def test_with_tracing_off_a_request_records_nothing() -> None:
    exporter = InMemorySpanExporter()
    TracerProvider().add_span_processor(SimpleSpanProcessor(exporter))
    transport = httpx.ASGITransport(TraceRequests(_answer))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        response = await client.post("/v1/shows/1/holds", headers={"traceparent": PARENT})
    assert response.text == ""  # no span was current
    assert exporter.get_finished_spans() == ()


async def test_traced_work_notes_its_outcome_and_its_failure(spans: InMemorySpanExporter) -> None:
    async def succeed() -> int:
        return 3

    async def fail() -> int:
        raise ValueError("refused")

    assert await traced("ok", succeed(), outcome=lambda n: {"n": n}) == 3
    with pytest.raises(ValueError, match="refused"):
        await traced("failing", fail())
    ok, failing = spans.get_finished_spans()
    assert ok.attributes is not None
    assert ok.attributes["n"] == 3
    assert failing.status.status_code is StatusCode.ERROR


def _fetched(*traceparents: str | None) -> tuple[dict[TopicPartition, list[Any]], list[Incoming]]:
    records = [
        SimpleNamespace(offset=i, headers=[] if tp is None else [("traceparent", tp.encode())])
        for i, tp in enumerate(traceparents)
    ]
    batch = [Incoming(Record(0, r.offset, None, b"", 0), None, None, None) for r in records]
    return {TopicPartition("events", 0): records}, batch


VERSION = Version("seat_availability", 1, "proj_seat_availability_v1", "live", "g", "events", "read")


async def _committed() -> BatchResult:
    await asyncio.sleep(0)
    return BatchResult(applied=2)


async def test_an_apply_span_links_each_event_and_joins_a_single_trace(spans: InMemorySpanExporter) -> None:
    first, second = f"00-{TRACE}-00f067aa0ba902b7-01", f"00-{TRACE}-b7ad6b7169203331-01"
    fetched, batch = _fetched(first, None, second)
    result = await traced_apply(VERSION, fetched, batch[:2] + batch[2:], _committed())
    assert result.applied == 2
    [span] = spans.get_finished_spans()
    assert span.name == "seat_availability apply"
    assert span.kind is SpanKind.CONSUMER
    assert [f"{link.context.span_id:016x}" for link in span.links] == ["00f067aa0ba902b7", "b7ad6b7169203331"]
    assert span.context is not None
    assert f"{span.context.trace_id:032x}" == TRACE  # one trace: the span is in it
    assert span.attributes is not None
    assert span.attributes["boxoffice.batch.applied"] == 2


async def test_an_apply_span_of_several_traces_starts_its_own(spans: InMemorySpanExporter) -> None:
    fetched, batch = _fetched(PARENT, f"00-{OTHER_TRACE}-b7ad6b7169203331-01", PARENT)
    await traced_apply(VERSION, fetched, batch[:2], _committed())  # the third record is not in the batch
    [span] = spans.get_finished_spans()
    assert span.parent is None
    assert len(span.links) == 2
