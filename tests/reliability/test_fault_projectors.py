"""Projector processes SIGKILLed at random moments, several times, under a steady load.

A killed projector loses the batch in hand; on restart it seeks to the
offsets stored with its read rows, so the read model must end equal to the
write model and to a clean replay, with nothing dead-lettered.
"""

import asyncio
import random
from typing import Any

import pytest

from tests.reliability.harness.load import Load
from tests.reliability.harness.scenario import run_with_fault, settle_and_verify
from tests.reliability.harness.stack import Stack

pytestmark = [pytest.mark.integration, pytest.mark.fault]


async def test_projectors_killed_at_random_moments_end_equal_to_a_replay(
    started_stack: tuple[Stack, Load], injected_poison: Any, record_figures: Any
) -> None:
    stack, load = started_stack
    rng = random.Random()
    victims = [group[0] for group in stack.projectors.values()] * 3  # every projection killed 3 times

    async def kill_projectors() -> dict[str, Any]:
        rng.shuffle(victims)
        for victim in victims:
            await asyncio.sleep(rng.uniform(0.5, 3.0))
            await asyncio.to_thread(victim.kill)
            await asyncio.sleep(rng.uniform(0.1, 1.5))
            victim.start()
        return {"projector_kills": len(victims)}

    _, fault = await run_with_fault(stack, load, kill_projectors, duration_s=25, max_journeys=500)

    figures = await settle_and_verify(stack, load, injected_poison)
    assert sum(p.kills for group in stack.projectors.values() for p in group) == len(victims)
    record_figures({"scenario": "projectors killed", "fault": fault, **figures})
