"""One trace per command: a hold and a read of its token, followed across the four processes' spans.

The command API, the command worker (relay), a seat_availability projector, the
webhook dispatcher and the query API run in this process on a private database and a private topic
(real PostgreSQL and Kafka), with tracing on and an in-memory exporter; the
client sends one W3C ``traceparent`` with its hold and with its read.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from pydantic import SecretStr

from command_side.bootstrap import create_app as create_command_app
from command_side.settings import CommandSettings
from command_side.worker.process import CommandWorker
from contracts import partition_key
from infra.settings import ApiKeySettings, ServiceSettings
from infra.telemetry import TRACEPARENT, tracing
from infra.telemetry.asgi import TraceRequests
from projections.bootstrap import build_projector
from projections.catalog import PROJECTIONS
from projections.runtime.projection import Deployment
from projections.settings import ProjectorSettings
from query_api.app import create_app as create_query_app
from query_api.settings import QueryApiSettings
from tests.integration.command_side.cmd_support import CHECKOUT, hold, new_show
from tests.support.database import private_database, query
from tests.support.tracing import spans_in_memory
from webhooks.app import build_dispatcher
from webhooks.settings import WebhookSettings

pytestmark = pytest.mark.integration

API_KEYS = "operator:test-operator-key,checkout:test-checkout-key,viewer:test-viewer-key"
TRACE_ID = uuid4().hex  # the client's trace
CLIENT_SPAN_ID = uuid4().hex[:16]
CLIENT_TRACEPARENT = f"00-{TRACE_ID}-{CLIENT_SPAN_ID}-01"


@dataclass(frozen=True)
class Services:
    database_url: str
    kafka_bootstrap: str
    topic: str

    def command_settings(self) -> CommandSettings:
        return CommandSettings(
            database_url=self.database_url,
            kafka_bootstrap_servers=self.kafka_bootstrap,
            events_topic=self.topic,
        )


@pytest.fixture(scope="module")
def trace_db(database_url: str) -> Iterator[str]:
    """A private database: the relay there publishes only this module's rows."""
    with private_database(database_url, "boxoffice_trace") as url:
        yield url


@pytest.fixture(scope="module")
async def services(trace_db: str, kafka_bootstrap: str) -> AsyncIterator[Services]:
    topic = f"test.trace.{uuid4().hex[:12]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 12, 1), NewTopic(f"{topic}.dlq", 1, 1)])
        yield Services(trace_db, kafka_bootstrap, topic)
    finally:
        await admin.delete_topics([topic, f"{topic}.dlq"])
        await admin.close()


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    """Tracing on, into memory, for the test (off again afterwards)."""
    with spans_in_memory() as spans:
        yield spans


@contextlib.asynccontextmanager
async def command_api(services: Services) -> AsyncIterator[tuple[httpx.AsyncClient, FastAPI]]:
    app = create_command_app(services.command_settings(), ApiKeySettings(api_keys=SecretStr(API_KEYS)))
    transport = httpx.ASGITransport(app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://command", timeout=60) as client:
            yield client, app
    finally:  # what the lifespan (not run by ASGITransport) would close
        if app.state.outbox_notifier is not None:
            await app.state.outbox_notifier.aclose()
        await app.state.command.engine.dispose()


@contextlib.asynccontextmanager
async def running(start: Callable[[asyncio.Event], Coroutine[Any, Any, None]]) -> AsyncIterator[None]:
    """Run ``start(stop)`` (a worker's or a projector's ``run``) as a task until the block ends."""
    stop = asyncio.Event()
    task = asyncio.create_task(start(stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)


async def until_spans(exporter: InMemorySpanExporter, found: Callable[[list[ReadableSpan]], bool]) -> None:
    """Wait until the finished spans satisfy ``found`` (spans end when their work does)."""
    async with asyncio.timeout(30):
        while not found(list(exporter.get_finished_spans())):
            await asyncio.sleep(0.05)


def named(spans: list[ReadableSpan], name: str) -> list[ReadableSpan]:
    return [s for s in spans if s.name == name]


def one(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    matching = named(spans, name)
    assert len(matching) == 1, (name, [s.name for s in spans])
    return matching[0]


def trace_of(span: ReadableSpan) -> str:
    assert span.context is not None
    return f"{span.context.trace_id:032x}"


def span_id(span: ReadableSpan) -> int:
    assert span.context is not None
    return int(span.context.span_id)


async def test_a_hold_and_its_read_share_one_trace_across_the_processes(
    services: Services, exporter: InMemorySpanExporter
) -> None:
    topic = services.topic
    projector = build_projector(
        ProjectorSettings(
            database_url=services.database_url, kafka_bootstrap_servers=services.kafka_bootstrap
        ),
        [Deployment(PROJECTIONS["seat_availability"], "seat_availability", topic, "read", f"{topic}.dlq")],
    )
    query_app = create_query_app(
        QueryApiSettings(pool_size=2),
        ServiceSettings(database_url=services.database_url, kafka_bootstrap_servers=services.kafka_bootstrap),
        ApiKeySettings(api_keys=SecretStr(API_KEYS)),
    )
    dispatcher = build_dispatcher(
        WebhookSettings(
            database_url=services.database_url,
            kafka_bootstrap_servers=services.kafka_bootstrap,
            events_topic=topic,
            webhook_group_id=f"test-trace-{uuid4().hex[:8]}",
        )
    )
    async with (
        command_api(services) as (commands, _),
        running(projector.run),
        dispatcher,
        query_app.router.lifespan_context(query_app),
        httpx.AsyncClient(transport=httpx.ASGITransport(query_app), base_url="http://query") as reads,
    ):
        show_id = await new_show(commands, rows=2, seats=4)
        answer = await commands.post(
            f"/v1/shows/{show_id}/holds",
            json={"customer_id": "alice", "seat_ids": ["A-1-1", "A-1-2"]},
            headers={**CHECKOUT, TRACEPARENT: CLIENT_TRACEPARENT},
        )
        assert answer.status_code == 201, answer.text
        token = answer.json()["consistency_token"]
        # Nothing is relayed yet (no worker): the read has to wait for its token.
        read = asyncio.create_task(
            reads.get(
                f"/v1/shows/{show_id}/availability",
                params={"consistency_token": token, "wait_ms": 5000},
                headers={TRACEPARENT: CLIENT_TRACEPARENT},
            )
        )
        await asyncio.sleep(0.3)
        async with running(CommandWorker(services.command_settings()).run):
            response = await read
            assert response.status_code == 200, response.text

            def complete(spans: list[ReadableSpan]) -> bool:
                applied = named(spans, "seat_availability apply")
                recorded = [s for s in named(spans, "webhooks record") if trace_of(s) == TRACE_ID]
                return bool(recorded) and any(
                    s.attributes and s.attributes.get("boxoffice.batch.applied") for s in applied
                )

            await until_spans(exporter, complete)
    spans = list(exporter.get_finished_spans())

    # command API: the server span continues the client's context; the transaction span is its child
    server = one(spans, "POST /v1/shows/{show_id}/holds")
    assert server.kind is SpanKind.SERVER
    assert trace_of(server) == TRACE_ID
    assert server.parent is not None
    assert server.parent.span_id == int(CLIENT_SPAN_ID, 16)
    transaction = one(spans, "command HoldSeats")
    assert trace_of(transaction) == TRACE_ID
    assert transaction.parent is not None
    assert transaction.parent.span_id == span_id(server)

    # the outbox row carries the transaction span's context
    [(stored,)] = query(
        services.database_url,
        "SELECT traceparent FROM write_model.outbox WHERE show_id = %s AND event_type = 'SeatsHeld'",
        (show_id,),
    )
    assert stored == f"00-{TRACE_ID}-{span_id(transaction):016x}-01"

    # relay: the SeatsHeld event's publish span is a child of the transaction span
    published = [s for s in named(spans, f"{topic} publish") if trace_of(s) == TRACE_ID]
    assert len(published) == 1
    publish = published[0]
    assert publish.kind is SpanKind.PRODUCER
    assert publish.parent is not None
    assert publish.parent.span_id == span_id(transaction)
    assert publish.attributes is not None
    assert publish.attributes["boxoffice.seq"] == 2

    # projector: the batch that applied the event links to the publish span (the record's header)
    linked = [
        s
        for s in named(spans, "seat_availability apply")
        if any(link.context.span_id == span_id(publish) for link in s.links)
    ]
    assert len(linked) == 1
    link = next(link for link in linked[0].links if link.context.span_id == span_id(publish))
    assert f"{link.context.trace_id:032x}" == TRACE_ID

    # webhooks: recording the event's deliveries is a child of the publish span
    recorded = [s for s in named(spans, "webhooks record") if trace_of(s) == TRACE_ID]
    assert [s.parent.span_id if s.parent else None for s in recorded] == [span_id(publish)]

    # query API: its server span continues the client's context; the token wait is its child
    query_server = one(spans, "GET /v1/shows/{show_id}/availability")
    assert trace_of(query_server) == TRACE_ID
    wait = one(spans, "consistency_token wait")
    assert trace_of(wait) == TRACE_ID
    assert wait.parent is not None
    assert wait.parent.span_id == span_id(query_server)
    assert wait.attributes is not None
    assert wait.attributes["boxoffice.token.reached"] is True


async def test_with_tracing_off_nothing_is_recorded_and_no_context_is_stored(services: Services) -> None:
    assert not tracing.on
    unused = InMemorySpanExporter()  # a provider nobody starts: tracing stays off
    TracerProvider().add_span_processor(SimpleSpanProcessor(unused))
    async with command_api(services) as (commands, app):
        assert TraceRequests not in [getattr(m, "cls", None) for m in app.user_middleware]
        show_id = await new_show(commands)
        await hold(commands, show_id, "bob", ["A-1-1"])
        async with running(CommandWorker(services.command_settings()).run):
            headers = await published_headers(services, show_id, count=2)
    rows = query(
        services.database_url, "SELECT traceparent FROM write_model.outbox WHERE show_id = %s", (show_id,)
    )
    assert [r[0] for r in rows] == [None, None]
    assert headers == [(), ()]
    assert unused.get_finished_spans() == ()


async def published_headers(services: Services, show_id: str, count: int) -> list[tuple[object, ...]]:
    """The headers of the first ``count`` records of ``show_id`` on the topic, in order."""
    consumer = AIOKafkaConsumer(
        services.topic, bootstrap_servers=services.kafka_bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()
    found: list[tuple[object, ...]] = []
    try:
        async with asyncio.timeout(60):
            while len(found) < count:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    found += [tuple(r.headers) for r in records if r.key == partition_key(UUID(show_id))]
    finally:
        await consumer.stop()
    return found
