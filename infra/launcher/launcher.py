"""Both local services of one state dir, started and stopped together.

``up`` and ``down`` are idempotent and serialised by a lock file in the state
dir, so two ``boxoffice infra up`` (or a test fixture and a terminal) racing
each other start each service once.
"""

import time
from dataclasses import dataclass

from infra.launcher.aio import run_sync
from infra.launcher.kafka import KafkaBroker, metadata_answers
from infra.launcher.postgres import PostgresCluster
from infra.launcher.proc import exclusive
from infra.launcher.settings import LauncherSettings
from infra.launcher.status import Reporter, ServiceStatus, quiet
from infra.topic_setup import ensure_topics


@dataclass(frozen=True, slots=True)
class UpResult:
    """What ``up`` found and did: each service's status, and which ones it started now."""

    statuses: tuple[ServiceStatus, ...]
    started: tuple[str, ...]
    topics_created: tuple[str, ...]


class Launcher:
    """Local Kafka and PostgreSQL under ``settings.state_dir``."""

    def __init__(self, settings: LauncherSettings | None = None) -> None:
        self.settings = settings or LauncherSettings()
        self.kafka = KafkaBroker(self.settings)
        self.postgres = PostgresCluster(self.settings)
        self._lock = self.settings.state_dir / "launcher.lock"

    def status(self) -> tuple[ServiceStatus, ...]:
        return (self.postgres.status(), self.kafka.status())

    def is_running(self) -> bool:
        return all(s.running for s in self.status())

    def up(self, report: Reporter = quiet, create_topics: bool = True) -> UpResult:
        """Start what is not running, wait until both answer, create the topics; idempotent.

        Kafka is spawned first and PostgreSQL is brought up while the JVM boots,
        then the broker's readiness is awaited.
        """
        self.settings.state_dir.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.settings.ready_timeout_s
        started: list[str] = []
        with exclusive(self._lock):
            kafka_spawned = self.kafka.start(report)
            if self.postgres.start(report, deadline):
                started.append("postgresql")
            if kafka_spawned:
                started.append("kafka")
                report("waiting for Kafka to answer")
            self.kafka.wait_ready(deadline)
            created: list[str] = []
            if create_topics:
                created = run_sync(ensure_topics(self.settings.kafka_bootstrap_servers))
                for topic in created:
                    report(f"created topic {topic}")
        return UpResult(self.status(), tuple(started), tuple(created))

    def down(self, report: Reporter = quiet) -> tuple[str, ...]:
        """Stop both services (data stays); return the names of those that were running."""
        stopped: list[str] = []
        with exclusive(self._lock):
            if self.kafka.stop(report):
                stopped.append("kafka")
            if self.postgres.stop(report):
                stopped.append("postgresql")
        return tuple(stopped)

    def kafka_answers(self) -> bool:
        return run_sync(metadata_answers(self.settings.kafka_bootstrap_servers, timeout_s=5))
