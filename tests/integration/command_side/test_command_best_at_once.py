"""A best-available hold in one statement (``handlers.best_at_once``) picks as the usual path does
and keeps its guarantees: gapless per-show seqs in commit order, the outbox bytes, the answer stored
as returned, no seat twice."""

import asyncio
import random
from uuid import UUID, uuid4

import httpx
import psycopg
import pytest

from command_side.domain.seating import SeatCandidate, adjacent_runs, scattered
from command_side.settings import CommandSettings
from contracts import ConsistencyToken, SeatsHeld, encode_event
from infra.db import libpq_dsn
from tests.integration.command_side import cmd_support
from tests.support.metrics import Samples

pytestmark = pytest.mark.integration


async def _usual_pick(database_url: str, show_id: str, quantity: int) -> list[str] | None:
    """The first pick of ``handlers.best_available`` on the zone's free seats now, in seat id order."""
    async with await psycopg.AsyncConnection.connect(libpq_dsn(database_url)) as conn:
        cursor = await conn.execute(
            "SELECT seat_id, row_ordinal, row_seats, number FROM write_model.seat_inventory "
            "WHERE show_id = %s AND status = 'available' ORDER BY row_ordinal, number",
            (show_id,),
        )
        seats = [SeatCandidate(*row) for row in await cursor.fetchall()]
    for row in sorted({s.row_ordinal for s in seats}):
        runs = adjacent_runs([s for s in seats if s.row_ordinal == row], quantity)
        if runs:
            return sorted(runs[0])
    pick = scattered(seats, quantity)
    return sorted(pick) if pick else None


async def test_a_one_statement_pick_is_the_usual_paths_pick(
    make_client: cmd_support.ClientFactory, command_settings: CommandSettings
) -> None:
    client = make_client()
    show_id = await cmd_support.new_show(client, rows=4, seats=11)
    rng = random.Random(8)
    for i in range(30):
        if rng.random() < 0.3:  # explicit holds leave gaps the picks must step around
            seat = f"A-{rng.randint(1, 4)}-{rng.randint(1, 11)}"
            explicit = await cmd_support.post_hold(
                client, show_id, {"customer_id": f"x-{i}", "seat_ids": [seat]}
            )
            assert explicit.status_code in {201, 409}, explicit.text
            continue
        quantity = rng.randint(1, 4)
        expected = await _usual_pick(command_settings.database_url, show_id, quantity)
        body = {"customer_id": f"p-{i}", "zone_id": "A", "quantity": quantity}
        answer = await cmd_support.post_hold(client, show_id, body)
        if expected is None:
            assert answer.status_code == 409, answer.text
        else:
            assert answer.status_code == 201, answer.text
            assert answer.json()["seat_ids"] == expected
    await client.aclose()


async def test_racing_one_statement_best_available_holds_keep_seqs_bytes_and_answers(
    make_client: cmd_support.ClientFactory, command_settings: CommandSettings
) -> None:
    client = make_client(db_pool_timeout_seconds=60)
    show_id = await cmd_support.new_show(client, rows=8, seats=12)  # its ShowScheduled took seq 1
    keys = [str(uuid4()) for _ in range(40)]

    async def hold(i: int) -> httpx.Response:
        body = {"customer_id": f"best-{i}", "zone_id": "A", "quantity": 1 + i % 3}
        return await cmd_support.post_hold(
            client, show_id, body, {**cmd_support.CHECKOUT, "Idempotency-Key": keys[i]}
        )

    answers = await asyncio.gather(*(hold(i) for i in range(len(keys))))
    await client.aclose()

    assert [a.status_code for a in answers] == [201] * len(keys), [a.text for a in answers]
    held = [seat for a in answers for seat in a.json()["seat_ids"]]
    assert len(held) == len(set(held)), "a seat is in two holds"
    stored = await cmd_support.outbox(command_settings.database_url, show_id)
    assert [row.seq for row in stored] == list(range(1, len(keys) + 2)), "seqs are not gapless"
    events = await cmd_support.outbox_events(command_settings.database_url, show_id)
    for row, decoded in zip(stored, events, strict=True):
        assert encode_event(decoded.envelope) == row.body, "the outbox bytes are not the usual encoding"
    by_hold = {
        e.payload.hold_id: (e.envelope.seq, e.payload) for e in events if isinstance(e.payload, SeatsHeld)
    }
    for i, answer in enumerate(answers):
        doc = answer.json()
        seq, event = by_hold[UUID(doc["hold_id"])]
        assert ConsistencyToken.decode(doc["consistency_token"]) == ConsistencyToken(UUID(show_id), seq)
        assert (event.customer_id, list(event.seat_ids)) == (f"best-{i}", doc["seat_ids"])
        assert doc["seat_ids"] == sorted(doc["seat_ids"])
        kept = await cmd_support.fetch_one(
            command_settings.database_url,
            "SELECT status_code, response FROM write_model.idempotency_keys WHERE idempotency_key = %s",
            keys[i],
        )
        assert kept is not None
        assert (kept[0], bytes(kept[1])) == (201, answer.content)


FALLBACKS = "boxoffice_one_statement_fallbacks_total"


async def _fallbacks(client: httpx.AsyncClient) -> float:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return Samples(response.text).value(FALLBACKS, command="HoldBestAvailable")


async def test_racing_best_available_holds_on_one_row_each_hold_in_one_statement(
    make_client: cmd_support.ClientFactory,
) -> None:
    """A hot on-sale: every command's first try aims at the same best run. With rows of 100 seats
    the first page has one complete row, and each command takes its own run of it: the losers
    of a run go on to the next runs (never waiting), none is left to the usual path."""
    client = make_client(db_pool_size=16, db_pool_timeout_seconds=60)
    show_id = await cmd_support.new_show(client, rows=3, seats=100)
    before = await _fallbacks(client)

    async def hold(i: int) -> httpx.Response:
        body = {"customer_id": f"hot-{i}", "zone_id": "A", "quantity": 1 + i % 2}
        headers = {**cmd_support.CHECKOUT, "Idempotency-Key": str(uuid4())}
        return await cmd_support.post_hold(client, show_id, body, headers)

    answers = await asyncio.gather(*(hold(i) for i in range(32)))
    left_to_usual = await _fallbacks(client) - before
    await client.aclose()

    assert [a.status_code for a in answers] == [201] * len(answers), [a.text for a in answers]
    assert left_to_usual == 0, f"{left_to_usual:.0f} of {len(answers)} holds went to the usual path"
    held = [seat for a in answers for seat in a.json()["seat_ids"]]
    assert len(held) == len(set(held)), "a seat is in two holds"
    assert {seat.rsplit("-", 1)[0] for seat in held} == {"A-1"}, "a hold left the front row"
    for answer in answers:  # adjacent: a pair is two neighbours of the row
        numbers = sorted(int(seat.rsplit("-", 1)[1]) for seat in answer.json()["seat_ids"])
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
