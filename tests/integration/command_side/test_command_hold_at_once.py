"""An explicit hold in one statement (``handlers.hold_at_once``) keeps the usual path's guarantees:
per-show gapless seqs in commit order, the outbox bytes, the answer stored as returned, and a
hold it cannot decide (here: a seat held by a lapsed hold) left whole to the usual path."""

import asyncio
import random
from uuid import UUID, uuid4

import httpx
import orjson
import psycopg
import pytest

from command_side.settings import CommandSettings
from contracts import ConsistencyToken, HoldReleased, SeatsHeld
from infra.db import libpq_dsn
from tests.integration.command_side import cmd_support

pytestmark = pytest.mark.integration


async def test_racing_one_statement_holds_take_gapless_seqs_and_store_the_answers_they_return(
    make_client: cmd_support.ClientFactory, command_settings: CommandSettings
) -> None:
    client = make_client(db_pool_timeout_seconds=60)
    show_id = await cmd_support.new_show(client, rows=5, seats=12)  # its ShowScheduled took seq 1
    seats = [f"A-{r}-{n}" for r in range(1, 6) for n in range(1, 13)]
    random.Random(13).shuffle(seats)
    keys = [str(uuid4()) for _ in seats]

    async def hold(i: int) -> httpx.Response:
        body = {"customer_id": f"one-{i}", "seat_ids": [seats[i]]}
        return await cmd_support.post_hold(
            client, show_id, body, {**cmd_support.CHECKOUT, "Idempotency-Key": keys[i]}
        )

    answers = await asyncio.gather(*(hold(i) for i in range(len(seats))))
    await client.aclose()

    assert [a.status_code for a in answers] == [201] * len(seats), [a.text for a in answers]
    stored = await cmd_support.outbox(command_settings.database_url, show_id)
    assert [row.seq for row in stored] == list(range(1, len(seats) + 2)), "seqs are not gapless"
    row = await cmd_support.fetch_one(
        command_settings.database_url,
        "SELECT array_agg(seq ORDER BY position) FROM write_model.outbox WHERE show_id = %s",
        show_id,
    )
    assert row is not None
    assert list(row[0]) == list(range(1, len(seats) + 2)), "insert order is not seq order"
    events = await cmd_support.outbox_events(command_settings.database_url, show_id)
    held = {
        e.payload.hold_id: (e.envelope.seq, e.payload) for e in events if isinstance(e.payload, SeatsHeld)
    }
    for i, answer in enumerate(answers):
        doc = answer.json()
        token = ConsistencyToken.decode(doc["consistency_token"])
        assert answer.headers["X-Consistency-Token"] == doc["consistency_token"]
        seq, event = held[UUID(doc["hold_id"])]
        assert token == ConsistencyToken(UUID(show_id), seq)
        assert (event.customer_id, event.seat_ids) == (f"one-{i}", (seats[i],))
        assert orjson.loads(orjson.dumps(event.expires_at)) == doc["expires_at"]
        kept = await cmd_support.stored_answer(command_settings.database_url, keys[i])
        assert kept == (201, answer.content)


async def test_a_seat_of_a_lapsed_hold_is_held_by_the_usual_path_which_expires_that_hold_first(
    make_client: cmd_support.ClientFactory, command_settings: CommandSettings
) -> None:
    client = make_client(expiry_interval_seconds=3600)  # no expirer pass meanwhile
    show_id = await cmd_support.new_show(client)
    first = await cmd_support.hold(client, show_id, "lapsing", ["A-1-1"], ttl_seconds=1)
    await asyncio.sleep(1.2)

    second = await cmd_support.hold(client, show_id, "next", ["A-1-1"])
    await client.aclose()

    events = await cmd_support.outbox_events(command_settings.database_url, show_id)
    payloads = [e.payload for e in events[1:]]
    assert [type(p).__name__ for p in payloads] == ["SeatsHeld", "HoldReleased", "SeatsHeld"]
    expired, taken = payloads[1], payloads[2]
    assert isinstance(expired, HoldReleased)
    assert isinstance(taken, SeatsHeld)
    assert (str(expired.hold_id), expired.reason) == (first["hold_id"], "expired")
    assert str(taken.hold_id) == second["hold_id"]
    assert ConsistencyToken.decode(second["consistency_token"]).seq == events[-1].envelope.seq


async def test_the_function_answers_a_hold_of_no_seat_usual_and_writes_nothing(
    make_client: cmd_support.ClientFactory, command_settings: CommandSettings
) -> None:
    """The API refuses an empty seat list before; the function does not rely on it (its seat check
    would pass with zero of zero seats and write a hold of nothing)."""
    client = make_client()
    show_id = await cmd_support.new_show(client, rows=1, seats=2)
    await client.aclose()
    before = await cmd_support.outbox(command_settings.database_url, show_id)
    async with await psycopg.AsyncConnection.connect(libpq_dsn(command_settings.database_url)) as conn:
        cur = await conn.execute(
            "SELECT outcome FROM write_model.hold_seats_at_once("
            "'holds', 'empty-seats', '\\x00', %s, 'c', %s::text[], now(), 4, 1, %s,"
            " now() + interval '1 minute', %s, 'SeatsHeld', '\\x00', '\\x00', NULL, 201, '\\x00', '\\x00')",
            (show_id, [], uuid4(), uuid4()),
        )
        assert await cur.fetchone() == ("usual",)
        keys = await conn.execute(
            "SELECT count(*) FROM write_model.idempotency_keys WHERE idempotency_key = 'empty-seats'"
        )
        assert await keys.fetchone() == (0,)
        holds = await conn.execute("SELECT count(*) FROM write_model.holds WHERE show_id = %s", (show_id,))
        assert await holds.fetchone() == (0,)
    assert await cmd_support.outbox(command_settings.database_url, show_id) == before


_EXPLICIT = (
    "SELECT outcome, current_setting('synchronous_commit') FROM write_model.hold_seats_at_once("
    "'holds', %s, '\\x00', %s, 'c', %s::text[], now(), 4, 1, %s,"
    " now() + interval '1 minute', %s, 'SeatsHeld', '\\x00', '\\x00', NULL, 201, '\\x00', '\\x00')"
)
_BEST = (
    "SELECT outcome, current_setting('synchronous_commit') FROM write_model.hold_best_available_at_once("
    "'holds', %s, '\\x00', %s, 'c', %s, %s, 128, now(), 4, 1, %s, now() + interval '1 minute', %s,"
    " 'SeatsHeld', '\\x00', '\\x00', '\\x00', NULL, 201, '\\x00', '\\x00', '\\x00')"
)


async def _commit_mode(database_url: str, call: str, key: str, *params: object) -> tuple[str, str]:
    """The function's outcome and the synchronous_commit its transaction commits with: the call
    alone in autocommit, an implicit transaction as in production (``direct.alone``), the setting
    read in the same statement once the function has returned."""
    dsn = libpq_dsn(database_url)
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        answer = await (await conn.execute(call, (key, *params, uuid4(), uuid4()))).fetchone()
    assert answer is not None
    return str(answer[0]), str(answer[1])


async def test_a_hold_left_to_the_usual_path_does_not_wait_for_a_durable_commit(
    make_client: cmd_support.ClientFactory, command_settings: CommandSettings
) -> None:
    """Its claim was inserted and deleted and its seats locked: nothing of it stays, so its commit
    need not wait for the WAL flush (the usual path's own commit does). A hold made, or a key found
    claimed, still does."""
    client = make_client()
    show_id = await cmd_support.new_show(client, rows=1, seats=8)
    taken = await cmd_support.post_hold(client, show_id, {"customer_id": "first", "seat_ids": ["A-1-1"]})
    assert taken.status_code == 201, taken.text
    await client.aclose()
    url = command_settings.database_url
    held_key, best_key = str(uuid4()), str(uuid4())

    assert await _commit_mode(url, _EXPLICIT, str(uuid4()), show_id, ["A-1-1"]) == ("usual", "off")
    assert await _commit_mode(url, _EXPLICIT, held_key, show_id, ["A-1-2"]) == ("held", "on")
    assert await _commit_mode(url, _EXPLICIT, held_key, show_id, ["A-1-2"]) == ("claimed", "on")
    five = [f"A-1-{n}" for n in range(3, 8)]  # over the limit of 4: refused before any seat lock
    assert await _commit_mode(url, _EXPLICIT, str(uuid4()), show_id, five) == ("usual", "off")
    assert await _commit_mode(url, _BEST, str(uuid4()), show_id, "no-such-zone", 1) == ("usual", "off")
    assert await _commit_mode(url, _BEST, best_key, show_id, "A", 1) == ("held", "on")
    assert await _commit_mode(url, _BEST, best_key, show_id, "A", 1) == ("claimed", "on")
    # customer c holds 2 seats now: 3 more are over the limit of 4
    assert await _commit_mode(url, _BEST, str(uuid4()), show_id, "A", 3) == ("usual", "off")
    assert await _commit_mode(url, _BEST, str(uuid4()), show_id, "A", 0) == ("usual", "on")
