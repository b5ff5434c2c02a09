"""The relay's statements per batch: its mark also reads the next batch when more is known to wait,
and a batch that drained the outbox is not followed by a read that finds it empty."""

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
        while await relaying.relay_once() or relaying._ahead is not None:
            pass
        session.sent.clear()
        yield relaying, session, publisher
    finally:
        await session.close()
        await publisher.close()


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


async def test_a_full_batch_reads_the_next_one_with_its_mark_and_a_partial_one_stops(
    make_client: cmd_support.ClientFactory,
    command_settings: CommandSettings,
    engine: AsyncEngine,
    relay: Relay,
) -> None:
    relaying, session, _ = relay
    show_id = await cmd_support.new_show(make_client())  # its ShowScheduled is seq 1
    await _append(engine, show_id, 4)  # seqs 2..5: with seq 1, batches of 2, 2 and 1

    published = [await relaying.relay_once() for _ in range(3)]

    assert published == [2, 2, 1]
    # one read, then one statement per batch; no read to find the outbox empty after the last
    assert session.sent == ["read", "mark+read", "mark+read", "mark"]
    await _all_published(command_settings, show_id, 5)


async def test_a_commit_notified_during_a_pass_is_read_with_the_mark(
    make_client: cmd_support.ClientFactory,
    command_settings: CommandSettings,
    engine: AsyncEngine,
    relay: Relay,
) -> None:
    relaying, session, publisher = relay
    show_id = await cmd_support.new_show(make_client())
    assert await relaying.relay_once() == 1  # seq 1 (ShowScheduled), no wake-up: a plain mark

    async def commit_and_notify() -> None:
        await _append(engine, show_id, 1)  # seq 3, committed while seq 2 is being published
        relaying.wake()  # as the command API's NOTIFY after that commit does

    publisher.meanwhile = commit_and_notify
    await _append(engine, show_id, 1)  # seq 2
    assert await relaying.relay_once() == 1  # seq 2; its mark read seq 3
    assert await relaying.relay_once() == 1  # seq 3, with no read of its own
    assert session.sent == ["read", "mark", "read", "mark+read", "mark"]
    await _all_published(command_settings, show_id, 3)
