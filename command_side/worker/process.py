"""The command worker process: wait for leadership, then relay and expire until stopped or deposed.

Idle, the leader only sleeps: the relay waits for a NOTIFY (or its fallback
poll, ``relay_fallback_poll_seconds``), the expirer sleeps
``expiry_interval_seconds`` between passes, and the leader session is checked
once a second. Standbys try the lock every ``relay_leader_retry_seconds``.
"""

import asyncio
import contextlib
import logging

from command_side.adapters.engine import create_engine
from command_side.handlers.runner import call_after_events_commit
from command_side.settings import CommandSettings
from command_side.worker.expirer import Expirer
from command_side.worker.leader import LeaderLock
from command_side.worker.metrics import MetricsServer, WorkerMetrics
from command_side.worker.publisher import KafkaEventPublisher
from command_side.worker.relay import OutboxRelay

log = logging.getLogger(__name__)
LEADER_CHECK_SECONDS = 1.0


class CommandWorker:
    """One of possibly several workers; only the holder of the advisory lock relays and expires."""

    def __init__(self, settings: CommandSettings) -> None:
        self.settings = settings.model_copy(update={"db_pool_size": 4, "db_max_overflow": 2})
        self.engine = create_engine(self.settings)
        self.lock = LeaderLock(settings.database_url, settings.relay_lock_key)
        self.publisher = KafkaEventPublisher(settings.kafka_bootstrap_servers, settings.events_topic)
        self.metrics = WorkerMetrics()
        self.relay = OutboxRelay(self.settings, self.publisher, self.metrics)
        self.expirer = Expirer(self.settings, self.engine, self.metrics)
        call_after_events_commit(self.engine, self.relay.wake)  # expiries wake the relay in-process
        self.is_leader = False

    async def run(self, stop: asyncio.Event) -> None:
        """Run until ``stop`` is set, taking over leadership whenever it is free; serve /metrics on
        ``worker_metrics_port`` meanwhile (when set)."""
        port = self.settings.worker_metrics_port
        server = MetricsServer(self.metrics.registry, port) if port else None
        # the backlog is a query every few seconds: only worth it when someone can read /metrics
        sampling = None
        if port:
            sampling = asyncio.create_task(self.metrics.sample_backlog(self.engine), name="outbox-backlog")
        try:
            while not stop.is_set():
                if await self._try_lead():
                    await self._lead(stop)
                else:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self.settings.relay_leader_retry_seconds)
        finally:
            if sampling is not None:
                sampling.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sampling
            if server is not None:
                server.close()
            call_after_events_commit(self.engine, None)
            await self.lock.release()
            await self.publisher.close()
            await self.engine.dispose()

    async def _try_lead(self) -> bool:
        try:
            return await self.lock.try_acquire()
        except Exception:
            log.warning("cannot reach the database for leadership; retrying")
            await self.lock.release()
            return False

    async def _lead(self, stop: asyncio.Event) -> None:
        log.info("became relay leader")
        self.is_leader = True
        self.metrics.leader.set(1)
        tasks = [asyncio.create_task(self.relay.run()), asyncio.create_task(self.expirer.run())]
        try:
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), LEADER_CHECK_SECONDS)
                if not await self.lock.still_held():
                    log.warning("lost the leader session; stepping down")
                    break
        finally:
            self.is_leader = False
            self.metrics.leader.set(0)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.lock.release()
