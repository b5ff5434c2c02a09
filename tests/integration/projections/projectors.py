"""Projectors over test deployments (built by the production composition root) and their backlogs."""

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager

from projections.bootstrap import Projector, build_projector
from projections.runtime.projection import Deployment
from projections.settings import ProjectorSettings
from projections.testing import Simulation
from projections.testing.harness import produce, wait_consumed


def projector_of(
    deployments: Iterable[Deployment], database_url: str, bootstrap: str, max_records: int | None = None
) -> Projector:
    """``build_projector`` for ``deployments``; the settings' batch size unless ``max_records`` is given."""
    settings = ProjectorSettings(database_url=database_url, kafka_bootstrap_servers=bootstrap)
    if max_records is not None:
        settings = settings.model_copy(update={"projector_max_records": max_records})
    return build_projector(settings, deployments)


@asynccontextmanager
async def projecting(
    deployments: Iterable[Deployment], database_url: str, bootstrap: str, max_records: int | None = None
) -> AsyncIterator[None]:
    """A projector of ``deployments`` runs in this event loop for the block; on leaving it, however the
    block ends, the projector is stopped and awaited (so its own failure is raised here)."""
    stop = asyncio.Event()
    task = asyncio.create_task(projector_of(deployments, database_url, bootstrap, max_records).run(stop))
    try:
        yield
    finally:
        stop.set()
        await task


async def project(
    deployments: Sequence[Deployment],
    database_url: str,
    bootstrap: str,
    total: int,
    max_records: int | None = None,
) -> None:
    """Run a projector of ``deployments`` until each has consumed ``total`` events, then stop it."""
    async with projecting(deployments, database_url, bootstrap, max_records):
        for deployment in deployments:
            await wait_consumed(database_url, deployment, total)


async def backlog(bootstrap: str, topic: str, seed: int, shows: int, steps: int) -> tuple[Simulation, int]:
    """A simulated on-sale (``seed``, ``shows``, run for ``steps``) with its events produced onto
    ``topic``; the simulation (whose ``truth()`` the read models must match) and how many events were sent."""
    sim = Simulation(seed, shows=shows).run(steps)
    return sim, await produce(bootstrap, topic, sim.events)
