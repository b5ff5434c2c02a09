"""The relay's statements per batch: one, which marks the previous batch and reads this one."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from uuid import UUID, uuid4

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from command_side.settings import CommandSettings
from command_side.worker.outbox_rows import RelaySession, StoredEvent
from command_side.worker.publisher import KafkaEventPublisher
from command_side.worker.relay import OutboxRelay
from contracts import HoldReleased, decode_event
from tests.integration.command_side import cmd_support
from tests.support.kafka import topic_events

pytestmark = pytest.mark.integration


class CountingSession(RelaySession):
    """The relay's session, recording the statements it sends."""

    def __init__(self, database_url: str) -> None:
        super().__init__(database_url)
        self.sent: list[str] = []

    async def unpublished(self, limit: int) -> list[StoredEvent]:
        self.sent.append("read")
        return await super().unpublished(limit)

    async def mark_published(self, positions: Sequence[int]) -> None:
        self.sent.append("mark")
        await super().mark_published(positions)

    async def mark_published_and_read(self, positions: Sequence[int], limit: int) -> list[StoredEvent]:
        self.sent.append("mark+read")
        return await super().mark_published_and_read(positions, limit)


class HookedPublisher(KafkaEventPublisher):
    """The relay's publisher, running ``meanwhile`` (once) after its next batch is acked."""

    meanwhile: Callable[[], Awaitable[None]] | None = None

    async def publish(self, events: Sequence[StoredEvent]) -> None:
        await super().publish(events)
        hook, self.meanwhile = self.meanwhile, None
        if hook is not None:
            await hook()


Relay = tuple[OutboxRelay, CountingSession, HookedPublisher]


@pytest.fixture
async def relay(command_settings: CommandSettings) -> AsyncIterator[Relay]:
    """A relay of batches of 2 on the private outbox, which it first drains (of earlier tests' rows)."""
    settings = command_settings.model_copy(update={"relay_batch_size": 2})
    publisher = HookedPublisher(settings.kafka_bootstrap_servers, settings.events_topic)
    relaying = OutboxRelay(settings, publisher)
    session = CountingSession(settings.database_url)
    relaying._session = session
    try:
        while await relaying.relay_once():
            pass
        session.sent.clear()
        yield relaying, session, publisher
    finally:
        await session.close()
        await publisher.close()


@pytest.fixture
async def show_id(make_client: cmd_support.ClientFactory, relay: Relay) -> str:
    """A new show, created after the relay drained: its ShowScheduled (seq 1) is waiting."""
    return await cmd_support.new_show(make_client())


async def _append(engine: AsyncEngine, show_id: str, count: int) -> None:
    for i in range(count):
        event = HoldReleased(hold_id=uuid4(), customer_id=f"b{i}", seat_ids=("A-1-1",), reason="released")
        await cmd_support.append_events(engine, UUID(show_id), [event])


async def _all_published(settings: CommandSettings, show_id: str, last_seq: int) -> None:
    stored = await cmd_support.outbox(settings.database_url, show_id)
    assert [(row.seq, row.published) for row in stored] == [(seq, True) for seq in range(1, last_seq + 1)]
    on_topic = await topic_events(
        settings.kafka_bootstrap_servers, settings.events_topic, show_id, at_least=last_seq
    )
    assert [decode_event(body).envelope.seq for body in on_topic] == list(range(1, last_seq + 1))


async def test_each_pass_marks_the_last_batch_in_the_statement_that_reads_the_next(
    command_settings: CommandSettings, engine: AsyncEngine, relay: Relay, show_id: str
) -> None:
    relaying, session, _ = relay
    await _append(engine, show_id, 4)  # seqs 2..5: with seq 1, batches of 2, 2 and 1

    published = [await relaying.relay_once() for _ in range(3)]

    assert published == [2, 2, 1]
    assert session.sent == ["read", "mark+read", "mark+read"]
    stored = await cmd_support.outbox(command_settings.database_url, show_id)
    assert [row.published for row in stored] == [True] * 4 + [False]  # seq 5 waits for the next pass
    assert await relaying.relay_once() == 0
    assert session.sent[3:] == ["mark+read"]
    await _all_published(command_settings, show_id, 5)


async def test_a_failed_pass_leaves_the_last_batch_to_the_next_mark(
    command_settings: CommandSettings, engine: AsyncEngine, relay: Relay, show_id: str
) -> None:
    relaying, session, _ = relay
    assert await relaying.relay_once() == 1  # seq 1, unmarked
    await session.close()
    session._dsn = "host=127.0.0.1 port=9 dbname=nowhere connect_timeout=1"  # the database is away
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the driver raises for it
        await relaying.relay_once()
    session._dsn = RelaySession(command_settings.database_url)._dsn
    await _append(engine, show_id, 1)  # seq 2

    assert await relaying.relay_once() == 1  # seq 2 only: seq 1 was marked in this statement
    assert await relaying.relay_once() == 0
    await _all_published(command_settings, show_id, 2)


async def test_a_stopping_relay_marks_what_it_published(
    command_settings: CommandSettings, relay: Relay, show_id: str
) -> None:
    relaying, session, _ = relay
    settings = command_settings.model_copy(update={"relay_listen": False, "relay_mark_linger_seconds": 30})
    relaying._settings = settings
    running = asyncio.create_task(relaying.run())
    async with asyncio.timeout(30):
        while relaying.published == 0:
            await asyncio.sleep(0.01)
    assert session.sent[-1:] == ["read"]  # published, lingering for a next batch to mark it with
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    assert session.sent[-1:] == ["mark"]
    await _all_published(command_settings, show_id, 1)
