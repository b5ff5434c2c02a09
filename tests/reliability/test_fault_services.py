"""The private Kafka broker SIGKILLed, and the private PostgreSQL stopped, in the middle of a load.

Kafka down: commands keep being accepted (they only need the write model);
the outbox holds their events and the relay delivers them once the broker is
back. PostgreSQL down: the command API answers 503 with ``Retry-After`` in the
error shape (never a 500 or a stack trace), ``/readyz`` says not ready, and
everything recovers by itself once the database is back.
"""

import asyncio
import os
import signal
from typing import Any

import httpx
import pytest

from infra.launcher import Launcher
from infra.launcher.status import quiet
from tests.reliability.harness.load import Load
from tests.reliability.harness.scenario import run_with_fault, settle_and_verify
from tests.reliability.harness.stack import Stack

pytestmark = [pytest.mark.integration, pytest.mark.fault]
DOWN_SECONDS = 8


async def test_kafka_broker_killed_and_restarted_mid_load(
    private_launcher: Launcher, started_stack: tuple[Stack, Load], injected_poison: Any, record_figures: Any
) -> None:
    stack, load = started_stack

    async def kill_kafka() -> dict[str, Any]:
        await asyncio.sleep(5)
        pid = private_launcher.kafka.pid()
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        accepted_before = len(load.ledger.accepted)
        await asyncio.sleep(DOWN_SECONDS)
        accepted_while_down = len(load.ledger.accepted) - accepted_before
        await asyncio.to_thread(private_launcher.up)
        return {
            "kafka_sigkilled": 1,
            "down_seconds": DOWN_SECONDS,
            "accepted_while_down": accepted_while_down,
        }

    _, fault = await run_with_fault(stack, load, kill_kafka, duration_s=30, max_journeys=700)

    assert fault["accepted_while_down"] > 0, "commands must be accepted while Kafka is down"
    figures = await settle_and_verify(stack, load, injected_poison)
    record_figures({"scenario": "kafka broker SIGKILL", "fault": fault, **figures})


async def probe_outage(api: str, show_id: str, checkout_key: str) -> dict[str, int]:
    """While the database is down: /readyz and a command both answer 503, Retry-After, error shape."""
    seen = {"readyz_503": 0, "command_503": 0}
    async with httpx.AsyncClient(base_url=api, timeout=20) as client:
        for _ in range(3):
            ready = await client.get("/readyz")
            if ready.status_code == 200:  # the server may not have noticed yet
                await asyncio.sleep(0.5)
                continue
            assert ready.status_code == 503, ready.text
            assert ready.headers.get("retry-after"), ready.headers
            assert ready.json()["error"]["code"]
            seen["readyz_503"] += 1
            held = await client.post(
                f"/v1/shows/{show_id}/holds",
                headers={"Authorization": f"Bearer {checkout_key}"},
                json={"customer_id": "probe", "zone_id": "A", "quantity": 1},
            )
            assert held.status_code == 503, held.text
            assert held.headers.get("retry-after")
            assert set(held.json()) == {"error"}
            assert held.json()["error"]["code"] == "database_unavailable"
            assert "Traceback" not in held.text
            seen["command_503"] += 1
            await asyncio.sleep(1)
    return seen


async def test_postgres_stopped_and_restarted_mid_load(
    private_launcher: Launcher, started_stack: tuple[Stack, Load], injected_poison: Any, record_figures: Any
) -> None:
    stack, load = started_stack
    api = stack.api_urls[0]

    async def stop_postgres() -> dict[str, Any]:
        await asyncio.sleep(5)
        await asyncio.to_thread(private_launcher.postgres.stop, quiet)
        seen = await probe_outage(api, load.shows[0].show_id, stack.keys["checkout"])
        await asyncio.sleep(max(0, DOWN_SECONDS - 6))
        await asyncio.to_thread(private_launcher.up)
        async with httpx.AsyncClient(base_url=api, timeout=10) as client:
            for waited in range(60):
                if (await client.get("/readyz")).status_code == 200:
                    return {"postgres_stopped": 1, **seen, "ready_again_after_polls": waited}
                await asyncio.sleep(0.5)
        raise AssertionError("the command API did not become ready again after PostgreSQL came back")

    _, fault = await run_with_fault(stack, load, stop_postgres, duration_s=35, max_journeys=700)

    assert fault["readyz_503"] > 0
    assert fault["command_503"] > 0
    figures = await settle_and_verify(stack, load, injected_poison)
    assert figures["load"]["by_status"].get("500") is None
    record_figures({"scenario": "postgresql stopped", "fault": fault, **figures})
