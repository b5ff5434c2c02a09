"""Every local service node of one state dir, started and stopped together.

The topology is one PostgreSQL primary and one Kafka node by default; with
``infra_replicas``/``infra_brokers`` also hot standbys and a KRaft cluster
(:mod:`infra.launcher.topology`). ``up`` and ``down`` are idempotent and
serialised by a lock file in the state dir, so two ``boxoffice infra up`` (or a
test fixture and a terminal) racing each other start each node once.
"""

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from infra.launcher.aio import run_sync
from infra.launcher.kafka import KafkaBroker, metadata_answers
from infra.launcher.postgres import PostgresCluster
from infra.launcher.postgres_replica import PostgresReplica
from infra.launcher.proc import exclusive
from infra.launcher.settings import LauncherSettings
from infra.launcher.status import Reporter, ServiceStatus, quiet
from infra.launcher.topology import (
    kafka_nodes,
    with_recorded_topology,
    write_record,
)
from infra.topic_setup import ensure_topics


@dataclass(frozen=True, slots=True)
class UpResult:
    """What ``up`` found and did: each node's status, and which ones it started now."""

    statuses: tuple[ServiceStatus, ...]
    started: tuple[str, ...]
    topics_created: tuple[str, ...]


class Launcher:
    """Local Kafka and PostgreSQL nodes under ``settings.state_dir``.

    ``settings`` is the given one with an unset topology filled from the state
    dir's record; ``kafka`` and ``postgres`` are the first Kafka node and the primary.
    """

    def __init__(self, settings: LauncherSettings | None = None) -> None:
        self.settings = with_recorded_topology(settings or LauncherSettings())
        self.kafka_nodes = tuple(KafkaBroker(self.settings, node) for node in kafka_nodes(self.settings))
        self.kafka = self.kafka_nodes[0]
        self.postgres = PostgresCluster(self.settings)
        self.replicas = tuple(
            PostgresReplica(self.settings, self.postgres, i + 1) for i in range(self.settings.replicas)
        )
        self._lock = self.settings.state_dir / "launcher.lock"

    def status(self, with_lag: bool = False) -> tuple[ServiceStatus, ...]:
        """The primary, each replica (with its replay lag when asked), then each Kafka node."""
        replicas = tuple(r.status_with_lag() if with_lag else r.status() for r in self.replicas)
        return (self.postgres.status(), *replicas, *(node.status() for node in self.kafka_nodes))

    def is_running(self) -> bool:
        """True when every node of the topology runs."""
        return all(s.running for s in self.status())

    def is_serving(self) -> bool:
        """True when the services can be used: the primary runs and a majority of the Kafka nodes
        (a quorum, which with RF 3 / min.insync 2 also takes writes); a replica may be down."""
        kafka_up = sum(node.pid() is not None for node in self.kafka_nodes)
        return self.postgres.pid() is not None and kafka_up * 2 > len(self.kafka_nodes)

    def up(self, report: Reporter = quiet, create_topics: bool = True) -> UpResult:
        """Start what is not running, wait until every node answers, create the topics; idempotent.

        The Kafka nodes are spawned first and PostgreSQL (then its replicas,
        copied from it) is brought up while the JVMs boot; then each Kafka
        node's readiness is awaited. Topics get the cluster's replication factor.
        """
        self.settings.state_dir.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.settings.ready_timeout_s
        started: list[str] = []
        with exclusive(self._lock):
            write_record(self.settings)
            spawned = [node.name for node in self.kafka_nodes if node.start(report)]
            for server in (self.postgres, *self.replicas):
                if server.start(report, deadline):
                    started.append(server.name)
            started += spawned
            if spawned:
                report("waiting for Kafka to answer")
            for node in self.kafka_nodes:
                node.wait_ready(deadline)
            created: list[str] = []
            if create_topics:
                bootstrap, brokers = self.settings.kafka_bootstrap_servers, self.settings.brokers
                created = run_sync(ensure_topics(bootstrap, brokers=brokers))
                for topic in created:
                    report(f"created topic {topic}")
        return UpResult(self.status(), tuple(started), tuple(created))

    def down(self, report: Reporter = quiet) -> tuple[str, ...]:
        """Stop every node of the state dir, whatever its topology (data stays); return those that ran.

        Kafka nodes stop together (a KRaft node shutting down alone after its
        peers have gone would wait for a quorum that no longer exists); then
        the replicas, then the primary.
        """
        stopped: list[str] = []
        with exclusive(self._lock):
            nodes = self._kafka_nodes_on_disk()
            with ThreadPoolExecutor(max_workers=max(1, len(nodes))) as pool:
                results = list(pool.map(lambda node: node.stop(report), nodes))
            stopped += [node.name for node, ran in zip(nodes, results, strict=True) if ran]
            for server in (*self._replicas_on_disk(), self.postgres):
                if server.stop(report):
                    stopped.append(server.name)
        return tuple(stopped)

    def _kafka_nodes_on_disk(self) -> list[KafkaBroker]:
        """This topology's Kafka nodes and those of any other size whose directories exist."""
        nodes = {node.home: node for node in self.kafka_nodes}
        sizes = {1} | {int(d.name.rpartition("-")[2]) for d in self._dirs("kafka-cluster-*")}
        for size in sizes:
            other = self.settings.model_copy(update={"infra_brokers": size})
            for node in kafka_nodes(other):
                if node.home not in nodes and node.home.exists():
                    nodes[node.home] = KafkaBroker(other, node)
        return list(nodes.values())

    def _replicas_on_disk(self) -> list[PostgresReplica]:
        indexes = {r.index for r in self.replicas} | {
            int(d.name.rpartition("-")[2]) for d in self._dirs("postgres-replica-*")
        }
        return [PostgresReplica(self.settings, self.postgres, i) for i in sorted(indexes)]

    def _dirs(self, pattern: str) -> list[Path]:
        root = self.settings.state_dir
        return [d for d in root.glob(pattern) if d.is_dir() and d.name.rpartition("-")[2].isdigit()]

    def kafka_answers(self) -> bool:
        return run_sync(metadata_answers(self.settings.kafka_bootstrap_servers, timeout_s=5))
