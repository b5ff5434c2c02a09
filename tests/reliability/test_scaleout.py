"""Scale-out: two command APIs on one database, two command workers, two projectors per projection.

Exactly one worker relays at a time (the advisory lock); when the active one
is SIGKILLed the standby takes over within seconds and per-show order holds;
one projector of each projection is SIGKILLed mid-stream and its partner takes
its partitions over. Under load, the results are exact: no oversell, read
models equal the write model and a replay, nothing lost.
"""

import asyncio
import time
from typing import Any

import httpx
import pytest

from command_side.settings import CommandSettings
from tests.reliability.harness import checks_write as wr
from tests.reliability.harness.processes import Child
from tests.reliability.harness.scenario import run_with_fault, settle_and_verify
from tests.reliability.harness.stack import Stack
from tests.support.database import query

pytestmark = [pytest.mark.integration, pytest.mark.fault]
RELAY_LOCK = CommandSettings.model_fields["relay_lock_key"].default


def relay_lock_holders(database_url: str) -> int:
    rows = query(
        database_url,
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND classid = %s AND objid = %s AND objsubid = 1",
        (RELAY_LOCK >> 32, RELAY_LOCK & 0xFFFFFFFF),
    )
    return int(rows[0][0])


async def one_leader(stack: Stack) -> Child:
    await wr.wait_for(lambda: len(stack.leaders()) == 1, "exactly one relay leader", 30)
    assert relay_lock_holders(stack.services.database_url) == 1
    return stack.leaders()[0]


async def test_two_of_everything_survive_losing_the_leader_and_a_projector_each(
    make_stack: Any, load_for: Any, injected_poison: Any, record_figures: Any
) -> None:
    stack = make_stack(command_apis=2, workers=2, projectors_each=2)
    await asyncio.to_thread(stack.start)
    load = load_for(stack)
    await load.setup(shows=4)

    async def fault() -> dict[str, Any]:
        await asyncio.sleep(5)
        leader = await one_leader(stack)
        await asyncio.to_thread(leader.kill)
        killed_at = time.monotonic()
        await wr.wait_for(lambda: len(stack.leaders()) == 1, "the standby to take over", 30, every_s=0.1)
        takeover_s = time.monotonic() - killed_at
        await asyncio.sleep(3)
        for group in stack.projectors.values():
            await asyncio.to_thread(group[0].kill)  # its partner keeps going and takes its partitions
        await asyncio.sleep(4)
        leader.start()  # back as a standby
        await asyncio.sleep(2)
        assert len(stack.leaders()) == 1
        assert not leader_is(stack, leader)
        return {"leader_sigkilled": 1, "takeover_seconds": round(takeover_s, 1), "projectors_sigkilled": 2}

    _, injected = await run_with_fault(stack, load, fault, duration_s=30, max_journeys=800, customers=6)

    served = [await commands_served(url) for url in stack.api_urls]
    assert all(served), f"both command APIs must serve commands: {served}"
    figures = await settle_and_verify(stack, load, injected_poison)
    record_figures(
        {
            "scenario": "scale-out: 2 APIs, 2 workers, 2 projectors each",
            "fault": injected,
            "commands_per_api": served,
            **figures,
        }
    )


async def commands_served(api_url: str) -> int:
    """POSTs this command API answered, from its Prometheus request histogram."""
    async with httpx.AsyncClient(timeout=10) as client:
        text = (await client.get(f"{api_url}/metrics")).text
    return sum(
        int(float(line.rsplit(" ", 1)[1]))
        for line in text.splitlines()
        if line.startswith("boxoffice_command_request_seconds_count{") and 'method="POST"' in line
    )


def leader_is(stack: Stack, worker: Child) -> bool:
    return worker in stack.leaders()
