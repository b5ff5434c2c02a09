"""A deployment of boxoffice processes against one pair of services, for fault tests.

Every stack has its own API keys (random, so a log grep can look for them),
its own projection deployments (unique registry names, consumer groups and
view schemas, so stacks never meet) and a log file per process.
"""

import asyncio
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

from contracts import EVENTS_TOPIC
from contracts.read_model import READER_ROLE
from infra.db import with_credentials
from infra.settings import ServiceSettings
from projections.catalog import PROJECTIONS, deployment
from projections.runtime.projection import Deployment
from tests.reliability.harness.processes import Child
from tests.support.processes import boxoffice_argv, clean_environment, free_ports


@dataclass(frozen=True, slots=True)
class Services:
    """Where the Kafka broker(s) and PostgreSQL database (and its hot standby, if any) of a test run are."""

    database_url: str
    kafka_bootstrap_servers: str
    replica_database_url: str | None = None


def private_deployment(name: str) -> Deployment:
    """A deployment of projection ``name`` on the real topic that no other run shares."""
    tag = uuid4().hex[:10]
    return Deployment(
        PROJECTIONS[name], f"{name}_r{tag}", EVENTS_TOPIC, f"read_r{tag}", f"{EVENTS_TOPIC}.dlq"
    )


def _workers(n: int | None) -> tuple[str, ...]:
    return () if n is None else ("--workers", str(n))


class Stack:
    """Command APIs, command workers, projectors (every projection) and query APIs, none started yet.

    With ``query_apis=2`` the second query API reads the replica when the services have one.
    """

    def __init__(
        self,
        services: Services,
        log_dir: Path,
        *,
        command_apis: int = 1,
        workers: int = 1,
        projectors_each: int = 1,
        order_pay_by_seconds: int = 6,
        query_apis: int = 0,
        api_workers: int | None = None,
        leader_retry_s: float = 0.5,
    ) -> None:
        self.services = services
        self.keys = {role: f"{role}-{secrets.token_hex(16)}" for role in ("operator", "checkout", "viewer")}
        self.env = clean_environment(
            BOXOFFICE_DATABASE_URL=services.database_url,
            BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS=services.kafka_bootstrap_servers,
            BOXOFFICE_API_KEYS=",".join(f"{role}:{key}" for role, key in self.keys.items()),
            # short deadlines so that expiry happens within a test run
            BOXOFFICE_HOLD_TTL_MIN_SECONDS="1",
            BOXOFFICE_ORDER_PAY_BY_SECONDS=str(order_pay_by_seconds),
            BOXOFFICE_EXPIRY_INTERVAL_SECONDS="0.3",
            BOXOFFICE_RELAY_LEADER_RETRY_SECONDS=str(leader_retry_s),
            BOXOFFICE_RELAY_IDLE_POLL_MAX_SECONDS="0.05",
            BOXOFFICE_DB_POOL_SIZE="5",
            BOXOFFICE_DB_MAX_OVERFLOW="5",
            BOXOFFICE_WORKER_METRICS_PORT="0",  # several workers on one machine: no port to share
        )
        self._watchdog: asyncio.Task[None] | None = None
        # The production deployments: the private instance belongs to this test session, so its
        # projectors run exactly as ``boxoffice projector`` runs them, stack after stack.
        self.deployments = {name: deployment(name) for name in sorted(PROJECTIONS)}
        self.api_urls: list[str] = []
        self.apis: list[Child] = []
        for i, port in enumerate(free_ports(command_apis)):
            url = f"http://127.0.0.1:{port}"
            self.api_urls.append(url)
            self.apis.append(
                Child(
                    f"command-api-{i}",
                    boxoffice_argv("command-api", "--port", str(port), *_workers(api_workers)),
                    self.env,
                    log_dir / f"command-api-{i}.log",
                    health_url=f"{url}/healthz",
                )
            )
        self.workers = [
            Child(
                f"command-worker-{i}",
                boxoffice_argv("command-worker"),
                self.env,
                log_dir / f"command-worker-{i}.log",
            )
            for i in range(workers)
        ]
        self.projectors = {
            name: [
                Child(
                    f"projector-{name}-{i}",
                    boxoffice_argv("projector", name, "--metrics-port", "0", "--max-records", "500"),
                    self.env,
                    log_dir / f"projector-{name}-{i}.log",
                )
                for i in range(projectors_each)
            ]
            for name in self.deployments
        }

        self.query_urls: list[str] = []
        self.query_apis: list[Child] = []
        for i, port in enumerate(free_ports(query_apis)):
            url = f"http://127.0.0.1:{port}"
            env = self.env
            if i == 1 and services.replica_database_url is not None:
                password = ServiceSettings().reader_password.get_secret_value()
                reader = with_credentials(services.replica_database_url, READER_ROLE, password)
                env = {**self.env, "BOXOFFICE_QUERY_DATABASE_URL": reader}
            self.query_urls.append(url)
            self.query_apis.append(
                Child(
                    f"query-api-{i}",
                    boxoffice_argv("query-api", "--port", str(port), *_workers(api_workers or 1)),
                    env,
                    log_dir / f"query-api-{i}.log",
                    health_url=f"{url}/healthz",
                )
            )

    def children(self) -> Iterator[Child]:
        yield from self.apis
        yield from self.query_apis
        yield from self.workers
        for group in self.projectors.values():
            yield from group

    def start(self) -> None:
        for child in self.children():
            child.start()
        for api in [*self.apis, *self.query_apis]:
            api.wait_healthy()

    def start_watchdog(self) -> None:
        if self._watchdog is None:
            self._watchdog = asyncio.get_running_loop().create_task(self.watchdog())

    def stop(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        for child in self.children():
            child.stop()

    async def watchdog(self) -> None:
        """Restart crashed children every half second until cancelled, as ``boxoffice up`` does."""
        while True:
            for child in self.children():
                child.restart_if_crashed()
            await asyncio.sleep(0.5)

    def crashes(self) -> dict[str, int]:
        return {c.name: c.crashes for c in self.children() if c.crashes}

    def leaders(self) -> list[Child]:
        """Workers whose log says they lead now (the last leadership line after their last start)."""
        found = []
        for worker in self.workers:
            current = worker.log_text().rpartition("---- start")[2]
            if worker.alive and "became relay leader" in current.rpartition("stepping down")[2]:
                found.append(worker)
        return found

    def logs(self) -> str:
        return "\n".join(child.log_text() for child in self.children())
