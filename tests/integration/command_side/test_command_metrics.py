"""The command API's /metrics count commands by type and outcome, idempotent replays and retries."""

from uuid import uuid4

import httpx
import psycopg.errors
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from command_side.api.command_metrics import CommandMetrics
from command_side.handlers.runner import CommandContext, Decision, run_command
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
