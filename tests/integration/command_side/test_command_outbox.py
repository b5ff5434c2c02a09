"""The one append path (``adapters.outbox.append_and_commit``) keeps the guarantees its docstring states."""

import asyncio
import random
from uuid import UUID, uuid4

import httpx
import orjson
import psycopg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from command_side.adapters.idempotency import IdempotencyClaim
from command_side.settings import CommandSettings
from contracts import ConsistencyToken, HoldReleased, decode_event
from tests.integration.command_side import cmd_support

pytestmark = pytest.mark.integration


def released(i: int) -> HoldReleased:
    return HoldReleased(hold_id=uuid4(), customer_id=f"c{i}", seat_ids=("A-1-1",), reason="released")


async def test_concurrent_appends_take_gapless_seqs_in_commit_order(
    client: httpx.AsyncClient, command_settings: CommandSettings, engine: AsyncEngine
) -> None:
    show_id = UUID(await cmd_support.new_show(client))  # its ShowScheduled took seq 1
    rng = random.Random(16)

    async def append(i: int) -> None:
        await asyncio.sleep(rng.random() * 0.01)
        events = [released(i) for _ in range(1 + i % 3)]
        if i % 4 == 3:  # a failing last write: the whole append rolls back, taking no seq
            with pytest.raises(psycopg.errors.NotNullViolation):
                await cmd_support.append_events(engine, show_id, events, writes=[cmd_support.failing_write()])
        else:
            appended = await cmd_support.append_events(engine, show_id, events)
            assert ConsistencyToken.decode(appended.token) == ConsistencyToken(show_id, appended.last_seq)

    await asyncio.gather(*(append(i) for i in range(80)))

    stored = await cmd_support.outbox(command_settings.database_url, str(show_id))
    expected = 1 + sum(1 + i % 3 for i in range(80) if i % 4 != 3)
    assert [row.seq for row in stored] == list(range(1, expected + 1)), "seqs are not gapless"
    assert [decode_event(row.body).envelope.seq for row in stored] == [row.seq for row in stored]
    # the show row is locked from the bump to COMMIT: the outbox's insert order is seq order
    row = await cmd_support.fetch_one(
        command_settings.database_url,
        "SELECT array_agg(seq ORDER BY position) FROM write_model.outbox WHERE show_id = %s",
        str(show_id),
    )
    assert row is not None
    assert list(row[0]) == list(range(1, expected + 1))


async def test_the_answer_stored_under_the_claim_is_the_one_returned(
    client: httpx.AsyncClient, command_settings: CommandSettings, engine: AsyncEngine
) -> None:
    show_id = UUID(await cmd_support.new_show(client))
    claim = IdempotencyClaim(scope="test", key=str(uuid4()), request_hash=b"h")
    body = {"hold_id": "h1", "consistency_token": "replaced", "note": '"}987654321987654321"}'}

    appended = await cmd_support.append_events(
        engine, show_id, [released(1), released(2)], claim=claim, body=body
    )

    assert appended.last_seq == 3
    assert orjson.loads(appended.body) == {**body, "consistency_token": appended.token}
    row = await cmd_support.fetch_one(
        command_settings.database_url,
        "SELECT status_code, response FROM write_model.idempotency_keys "
        "WHERE scope = %s AND idempotency_key = %s",
        claim.scope,
        claim.key,
    )
    assert row is not None
    assert (row[0], bytes(row[1])) == (201, appended.body)


async def test_a_failed_append_stores_nothing(
    client: httpx.AsyncClient, command_settings: CommandSettings, engine: AsyncEngine
) -> None:
    show_id = UUID(await cmd_support.new_show(client))
    claim = IdempotencyClaim(scope="test", key=str(uuid4()), request_hash=b"h")

    with pytest.raises(psycopg.errors.NotNullViolation):
        await cmd_support.append_events(
            engine, show_id, [released(1)], writes=[cmd_support.failing_write()], claim=claim
        )

    assert [row.seq for row in await cmd_support.outbox(command_settings.database_url, str(show_id))] == [1]
    version = await cmd_support.fetch_one(
        command_settings.database_url,
        "SELECT stream_version FROM write_model.shows WHERE show_id = %s",
        str(show_id),
    )
    assert version == (1,)
    key = await cmd_support.fetch_one(
        command_settings.database_url,
        "SELECT 1 FROM write_model.idempotency_keys WHERE scope = %s AND idempotency_key = %s",
        claim.scope,
        claim.key,
    )
    assert key is None, "the claim of a failed command was kept"
