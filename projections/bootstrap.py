"""Composition root of the projector: settings and deployments in, a projector out.

``boxoffice projector``, ``python -m projections.runtime.process`` (the crash
tests' projector) and the tests all build their projector here, so where the
services are and how large a batch is come from :class:`ProjectorSettings` only.
"""

import asyncio
import signal
from collections.abc import Iterable
from dataclasses import dataclass

from projections.catalog import PROJECTIONS, deployment
from projections.runtime import metrics
from projections.runtime.projection import Deployment
from projections.runtime.projectors import run_projectors
from projections.settings import ProjectorSettings


@dataclass(frozen=True, slots=True)
class Projector:
    """The live versions of ``deployments`` kept up to date, as ``settings`` say."""

    settings: ProjectorSettings
    deployments: tuple[Deployment, ...]

    async def run(self, stop: asyncio.Event) -> None:
        """Supervise every deployment until ``stop`` is set; returns once all have stopped cleanly."""
        s = self.settings
        await run_projectors(
            list(self.deployments),
            s.database_url,
            s.kafka_bootstrap_servers,
            stop,
            max_records=s.projector_max_records,
        )

    async def serve(self) -> None:
        """Serve /metrics (when a port is set) and run until SIGTERM or SIGINT, then stop cleanly.

        On either signal each runner finishes the batch in hand (or abandons it
        uncommitted), leaves its consumer group and returns.
        """
        if self.settings.projector_metrics_port:
            metrics.serve(self.settings.projector_metrics_port)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await self.run(stop)


def build_projector(
    settings: ProjectorSettings, deployments: Iterable[Deployment] | None = None
) -> Projector:
    """A projector of ``deployments``; by default the production deployment of every projection."""
    if deployments is None:
        deployments = [deployment(name) for name in sorted(PROJECTIONS)]
    return Projector(settings, tuple(deployments))
