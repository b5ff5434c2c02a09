"""What a hold sends to PostgreSQL and when it waits, read from libpq's own trace of its connection.

Round trips are most of a command's latency, and each statement costs the command
API's CPU (psycopg sending it, waking on the socket, reading its result), so both
are a property worth keeping. With an Idempotency-Key and a customer limit, an
explicit hold of free seats is one statement, a transaction of its own (no
``BEGIN``, no ``COMMIT``): ``write_model.hold_seats_at_once``. A hold that statement
leaves to the usual path (a seat taken) runs the usual path after it: ``BEGIN``,
the claim and the customer's lock (one statement), the count and the seat lock
(one statement); then the refusal's answer stored with ``COMMIT``. A best-available hold reads its
first page of free seats in its first round trip, then locks its pick, then
appends. The trace shows each statement (Execute) and each Sync, where psycopg
waits for the results.
"""

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from psycopg import pq
from pydantic import SecretStr
from sqlalchemy import event

from command_side.bootstrap import create_app
from command_side.settings import CommandSettings
from infra.settings import ApiKeySettings
from tests.integration.command_side import cmd_support
from tests.integration.command_side.conftest import API_KEYS

pytestmark = pytest.mark.integration
Traced = Callable[[], list[str]]
SYNC = "|"  # where the client sent a Sync and waited for the results


@dataclass(frozen=True)
class TracedApi:
    """A client of a command API whose pooled connections libpq traces while checked out; a new
    show; ``statements()`` answers the statements traced since its last call, in order."""

    client: httpx.AsyncClient
    statements: Traced
    show_id: str


@pytest.fixture
async def traced(
    make_client: cmd_support.ClientFactory, command_settings: CommandSettings, tmp_path: Path
) -> AsyncIterator[TracedApi]:
    app = create_app(command_settings, ApiKeySettings(api_keys=SecretStr(API_KEYS)))
    engine = app.state.command.engine
    trace = tmp_path / "libpq.trace"
    out = trace.open("w")

    def on_checkout(dbapi_connection: Any, *_: object) -> None:
        pgconn = dbapi_connection.driver_connection.pgconn
        pgconn.trace(out.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)

    def on_checkin(dbapi_connection: Any, *_: object) -> None:
        dbapi_connection.driver_connection.pgconn.untrace()  # flushes the trace

    prepared: dict[str, str] = {}  # psycopg prepares a statement run often: later Binds name it
    read = 0  # libpq appends to the file: what was read before is skipped

    def statements() -> list[str]:
        """One entry per Execute message: the SQL of the statement bound before it."""
        nonlocal read
        executed, bound = [], ""
        whole = trace.read_bytes()
        new, read = whole[read:], len(whole)
        for line in new.decode(errors="replace").splitlines():
            fields = line.split("\t")
            if fields[:1] != ["F"]:
                continue
            if fields[2] == "Parse":  # ' "<statement name>" "<sql>" <parameter count> <types>'
                name, rest = fields[3].strip().split(" ", 1)
                prepared[name] = rest[1 : rest.rindex('"')]
            elif fields[2] == "Bind":  # ' "<portal>" "<statement name>" ...'
                bound = prepared[fields[3].strip().split(" ", 2)[1]]
            elif fields[2] == "Execute":
                executed.append(bound)
            elif fields[2] == "Sync" and executed and executed[-1] != SYNC:
                executed.append(SYNC)
        return executed

    event.listen(engine.sync_engine.pool, "checkout", on_checkout)
    event.listen(engine.sync_engine.pool, "checkin", on_checkin)
    try:
        show_id = await cmd_support.new_show(make_client())
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://command") as client:
            statements()  # whatever the app sent before the test
            yield TracedApi(client, statements, show_id)
    finally:
        out.close()
        if app.state.outbox_notifier is not None:
            await app.state.outbox_notifier.aclose()
        await engine.dispose()


def _round_trips(statements: list[str]) -> list[list[str]]:
    """The statements sent together before each Sync, named by what they do.

    psycopg waits for the results at each Sync it sends in a pipeline (at the
    pipeline's end, and after a ``BEGIN`` of its own), so each group is one round trip.
    """
    trips: list[list[str]] = [[]]
    for sql in statements:
        if sql == SYNC:
            trips.append([])
            continue
        parts = [
            name
            for name, pattern in (
                ("hold at once", r"write_model\.hold_seats_at_once"),
                ("best available at once", r"write_model\.hold_best_available_at_once"),
                ("claim", r"INSERT INTO write_model\.idempotency_keys"),
                ("customer lock", r"pg_advisory_xact_lock"),
                ("count", r"write_model\.orders"),
                ("seat lock", r"FOR UPDATE"),
                ("free seats", r"status = 'available' AND row_ordinal"),
                ("append", r"INSERT INTO write_model\.outbox"),
            )
            if re.search(pattern, sql)
        ]
        trips[-1].append(" + ".join(parts) or sql.split(" ")[0])
    return [trip for trip in trips if trip]


def _keyed() -> dict[str, str]:
    return {**cmd_support.CHECKOUT, "Idempotency-Key": str(uuid4())}


async def test_an_explicit_hold_is_one_statement_in_one_round_trip(traced: TracedApi) -> None:
    client, statements, show_id = traced.client, traced.statements, traced.show_id
    headers = _keyed()
    body = {"customer_id": f"rt-{uuid4()}", "seat_ids": ["A-1-1", "A-1-2"]}

    held = await cmd_support.post_hold(client, show_id, body, headers)

    assert held.status_code == 201, held.text
    assert _round_trips(statements()) == [["hold at once"]]

    replayed = await cmd_support.post_hold(client, show_id, body, headers)
    assert replayed.status_code == 201, replayed.text
    assert replayed.content == held.content
    assert replayed.headers["Idempotent-Replayed"] == "true"
    # a replay learns from the same one statement that the key was taken, and gets its answer
    assert _round_trips(statements()) == [["hold at once"]]

    reused = await cmd_support.post_hold(client, show_id, {**body, "seat_ids": ["A-1-3"]}, headers)
    assert reused.status_code == 422, reused.text
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert _round_trips(statements()) == [["hold at once"]]


async def test_an_explicit_hold_of_a_taken_seat_is_refused_by_the_usual_path_after_the_one_statement(
    traced: TracedApi,
) -> None:
    client, statements, show_id = traced.client, traced.statements, traced.show_id
    first = {"customer_id": f"rt-{uuid4()}", "seat_ids": ["A-2-1"]}
    assert (await cmd_support.post_hold(client, show_id, first, _keyed())).status_code == 201
    statements()
    headers = _keyed()
    second = {"customer_id": f"rt-{uuid4()}", "seat_ids": ["A-2-1", "A-2-2"]}

    refused = await cmd_support.post_hold(client, show_id, second, headers)

    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == {
        "code": "seats_unavailable",
        "message": "some seats are held or sold",
        "seat_ids": ["A-2-1"],
    }
    assert _round_trips(statements()) == [
        ["hold at once"],
        ["BEGIN", "claim + customer lock", "count + seat lock"],
        ["UPDATE"],  # the refusal stored under its key (then COMMIT, a simple query, not traced here)
    ]
    again = await cmd_support.post_hold(client, show_id, second, headers)
    assert (again.status_code, again.content) == (409, refused.content)
    assert again.headers["Idempotent-Replayed"] == "true"


async def test_a_best_available_hold_is_one_statement_in_one_round_trip(traced: TracedApi) -> None:
    client, statements, show_id = traced.client, traced.statements, traced.show_id
    headers = _keyed()
    body = {"customer_id": f"rt-{uuid4()}", "zone_id": "A", "quantity": 2}

    held = await cmd_support.post_hold(client, show_id, body, headers)

    assert held.status_code == 201, held.text
    assert _round_trips(statements()) == [["best available at once"]]

    replayed = await cmd_support.post_hold(client, show_id, body, headers)
    assert (replayed.status_code, replayed.content) == (201, held.content)
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert _round_trips(statements()) == [["best available at once"]]


async def test_a_best_available_hold_the_one_statement_leaves_reads_free_seats_with_its_locks(
    traced: TracedApi,
) -> None:
    body = {"customer_id": f"rt-{uuid4()}", "zone_id": "A", "quantity": 2, "ttl_seconds": 1}
    assert (await cmd_support.post_hold(traced.client, traced.show_id, body, _keyed())).status_code == 201
    await asyncio.sleep(1.2)  # the front row's best run is now held by a lapsed hold
    traced.statements()
    body = {"customer_id": f"rt-{uuid4()}", "zone_id": "A", "quantity": 2}

    held = await cmd_support.post_hold(traced.client, traced.show_id, body, _keyed())

    assert held.status_code == 201, held.text
    assert _round_trips(traced.statements()) == [
        ["best available at once"],
        ["BEGIN", "claim + customer lock", "count", "free seats"],
        ["seat lock"],
        ["seat lock"],  # the lapsed hold's seats, which it expires first
        ["UPDATE"],
        ["UPDATE"],
        ["append", "COMMIT"],
    ]
