"""The command API's /metrics count commands by type and outcome, idempotent replays, retries and
one-statement fallbacks."""

from uuid import uuid4

import httpx
import psycopg.errors
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from command_side.api.command_metrics import CommandMetrics
from command_side.handlers.runner import (
    LEFT_TO_USUAL,
    CommandContext,
    Decision,
    LeftToUsual,
    run_command,
)
from tests.integration.command_side.cmd_support import CHECKOUT, ClientFactory, new_show
from tests.support.metrics import Samples

pytestmark = pytest.mark.integration
COMMANDS = "boxoffice_commands_total"


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return Samples(response.text)


async def test_commands_are_counted_by_type_and_outcome(client: httpx.AsyncClient) -> None:
    before = await scrape(client)
    show_id = await new_show(client)
    url = f"/v1/shows/{show_id}/holds"
    first = await client.post(url, json={"customer_id": "c1", "seat_ids": ["A-1-1"]}, headers=CHECKOUT)
    assert first.status_code == 201
    taken = await client.post(url, json={"customer_id": "c2", "seat_ids": ["A-1-1"]}, headers=CHECKOUT)
    assert taken.status_code == 409
    keyed = {**CHECKOUT, "Idempotency-Key": str(uuid4())}
    body = {"customer_id": "c3", "seat_ids": ["A-1-2"]}
    assert (await client.post(url, json=body, headers=keyed)).status_code == 201
    again = await client.post(url, json=body, headers=keyed)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    after = await scrape(client)

    def moved(command: str, outcome: str) -> float:
        labels = {"command": command, "outcome": outcome}
        return after.value(COMMANDS, **labels) - before.value(COMMANDS, **labels)

    assert moved("CreateVenue", "accepted") == 1
    assert moved("ScheduleShow", "accepted") == 1
    assert moved("HoldSeats", "accepted") == 2
    assert moved("HoldSeats", "rejected") == 1
    assert moved("HoldSeats", "replayed") == 1
    assert moved("HoldSeats", "error") == 0
    replays = "boxoffice_idempotent_replays_total"
    assert after.value(replays) - before.value(replays) == 1
    # every series exists from the start, at 0
    assert (COMMANDS, frozenset({("command", "PayOrder"), ("outcome", "error")})) in after.values
    assert after.value("boxoffice_command_retries_total", reason="deadlock") == 0


async def test_a_command_without_a_database_counts_as_an_error(make_client: ClientFactory) -> None:
    async with make_client(database_url="postgresql+psycopg://nobody:x@127.0.0.1:1/none") as client:
        before = await scrape(client)
        body = {"name": "Hall", "zones": [{"zone_id": "A", "name": "A", "rows": [{"row": "1", "seats": 2}]}]}
        response = await client.post(
            "/v1/venues", json=body, headers={"Authorization": "Bearer test-operator-key"}
        )
        assert response.status_code == 503
        after = await scrape(client)
    labels = {"command": "CreateVenue", "outcome": "error"}
    assert after.value(COMMANDS, **labels) - before.value(COMMANDS, **labels) == 1


@pytest.mark.parametrize(
    ("error", "reason"),
    [(psycopg.errors.DeadlockDetected, "deadlock"), (psycopg.errors.SerializationFailure, "serialization")],
)
async def test_retried_transactions_are_counted_by_reason(
    engine: AsyncEngine, error: type[psycopg.Error], reason: str
) -> None:
    registry = CollectorRegistry()
    metrics = CommandMetrics(registry)
    attempts = 0

    async def flaky(conn: AsyncConnection, context: CommandContext) -> Decision:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise error("the database chose this transaction as the victim")
        return Decision("done", {"ok": True})

    result = await run_command(engine, flaky, on_retry=metrics.retried)
    assert result.answer == "done"
    samples = Samples(generate_latest(registry).decode())
    assert samples.value("boxoffice_command_retries_total", reason=reason) == 2
    assert samples.total("boxoffice_command_retries_total") == 2


FALLBACKS = "boxoffice_one_statement_fallbacks_total"


async def test_a_fallback_is_counted_only_when_the_one_statement_ran(client: httpx.AsyncClient) -> None:
    """A refusal decided before any SQL (a bad TTL, more seats than the limit) is not a fallback;
    a hold the function left to the usual path (its seat taken) is."""
    show_id = await new_show(client, rows=1, seats=12)
    before = await scrape(client)
    url = f"/v1/shows/{show_id}/holds"
    refused_first = [
        {"customer_id": "c", "seat_ids": ["A-1-1"], "ttl_seconds": 100_000},  # above the maximum TTL
        {"customer_id": "c", "seat_ids": [f"A-1-{n}" for n in range(1, 12)]},  # over the limit of 10
        {"customer_id": "c", "zone_id": "A", "quantity": 11},
    ]
    for body in refused_first:
        answer = await client.post(url, json=body, headers=CHECKOUT)
        assert 400 <= answer.status_code < 500, answer.text
    assert (
        await client.post(url, json={"customer_id": "a", "seat_ids": ["A-1-1"]}, headers=CHECKOUT)
    ).status_code == 201
    taken = await client.post(url, json={"customer_id": "b", "seat_ids": ["A-1-1"]}, headers=CHECKOUT)
    assert taken.status_code == 409, taken.text
    after = await scrape(client)

    def moved(command: str) -> float:
        return after.value(FALLBACKS, command=command) - before.value(FALLBACKS, command=command)

    assert moved("HoldSeats") == 1
    assert moved("HoldBestAvailable") == 0


async def test_a_retried_one_statement_counts_as_a_fallback_and_one_not_tried_does_not(
    engine: AsyncEngine,
) -> None:
    """The handler's retry takes over a one statement that failed with a deadlock: one fallback."""
    handled = Decision("done", {"ok": True})

    async def handler(conn: AsyncConnection, context: CommandContext) -> Decision:
        return handled

    async def deadlocked(conn: AsyncConnection, context: CommandContext, idem: object) -> None:
        raise psycopg.errors.DeadlockDetected("the database chose this transaction as the victim")

    async def left(conn: AsyncConnection, context: CommandContext, idem: object) -> LeftToUsual:
        return LEFT_TO_USUAL

    async def not_tried(conn: AsyncConnection, context: CommandContext, idem: object) -> None:
        return None

    for one_statement, counted in ((deadlocked, 1), (left, 1), (not_tried, 0)):
        calls = 0

        def on_usual() -> None:
            nonlocal calls
            calls += 1

        result = await run_command(engine, handler, one_statement=one_statement, on_usual=on_usual)
        assert result.answer == "done"
        assert calls == counted, one_statement.__name__
