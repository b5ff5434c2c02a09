"""A private cluster for the reliability scenario (three Kafka nodes, a hot standby) and its measurements.

The cluster runs from the project's launcher with a state dir of its own (in
/tmp, readable by the ``postgres`` user) and free ports, so killing its nodes
disturbs no other service on the machine. Measurements:

- :func:`partitions_fully_replicated`: every partition of the topic has all its
  replicas in sync again (a restarted broker has rejoined and caught up);
- :class:`ReplicaLag`: how long the standby takes to replay what the primary
  has flushed, sampled under the load (seconds from the primary's flush
  position being read to the standby's replay position passing it);
- :func:`check_replica_equals_primary`: once the standby has replayed
  everything, its read views hold exactly the primary's rows.
"""

import asyncio
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from aiokafka.admin import AIOKafkaAdminClient

from contracts import EVENTS_TOPIC
from infra.db import libpq_dsn
from infra.launcher import LauncherSettings
from infra.launcher.proc import free_port, port_is_free
from projections.runtime.projection import Deployment
from tests.reliability.harness.checks_read import view_rows
from tests.support.database import query

BROKERS = 3
Connection = psycopg.AsyncConnection[tuple[Any, ...]]
REPLICAS = 1


def consecutive_free_ports(count: int, host: str = "127.0.0.1") -> int:
    """The first of ``count`` consecutive free ports (the launcher numbers a cluster's nodes so)."""
    for _ in range(200):
        first = free_port()
        if first + count < 65536 and all(port_is_free(host, first + i) for i in range(count)):
            return first
    raise RuntimeError(f"no {count} consecutive free ports")


def cluster_settings(state_dir: Path) -> LauncherSettings:
    """Three Kafka nodes and one hot standby on free ports under ``state_dir``."""
    base = consecutive_free_ports(2 * BROKERS + 2 + REPLICAS)  # one run: the nodes' ports never overlap
    return LauncherSettings(
        state_dir=state_dir,
        infra_brokers=BROKERS,
        infra_replicas=REPLICAS,
        kafka_port=base,
        kafka_cluster_controller_port=base + BROKERS,
        kafka_controller_port=base + 2 * BROKERS,  # the single node's, unused by the cluster
        postgres_port=base + 2 * BROKERS + 1,
        postgres_replica_port=base + 2 * BROKERS + 2,
        kafka_cluster_heap="384m",
    )


async def partitions_fully_replicated(bootstrap: str, topic: str = EVENTS_TOPIC) -> bool:
    """Every partition of ``topic`` has each of its replicas in sync (and a leader)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    try:
        await admin.start()
        described = await admin.describe_topics([topic])
    except Exception:
        return False
    finally:
        await admin.close()
    partitions = described[0]["partitions"] if described else []
    return bool(partitions) and all(
        p["leader"] >= 0 and set(p["isr"]) == set(p["replicas"]) for p in partitions
    )


def replay_position_reached(primary_url: str, replica_url: str) -> bool:
    """The standby has replayed everything the primary has flushed so far."""
    flushed = query(primary_url, "SELECT pg_current_wal_flush_lsn()::text")[0][0]
    try:
        row = query(replica_url, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (flushed,))
    except psycopg.OperationalError:
        return False
    return bool(row[0][0])


@dataclass
class ReplicaLag:
    """Replay lag samples of the standby, taken every ``every_s`` while not paused."""

    primary_url: str
    replica_url: str
    every_s: float = 0.5
    samples: list[float] = field(default_factory=list)
    unreachable: int = 0
    paused: bool = False

    async def run(self, stop: asyncio.Event) -> None:
        primary = await psycopg.AsyncConnection.connect(libpq_dsn(self.primary_url), autocommit=True)
        replica: Connection | None = None
        try:
            while not stop.is_set():
                if not self.paused:
                    try:
                        if replica is None or replica.closed:
                            replica = await psycopg.AsyncConnection.connect(
                                libpq_dsn(self.replica_url), autocommit=True, connect_timeout=2
                            )
                        self.samples.append(await self._sample(primary, replica))
                    except psycopg.OperationalError:
                        self.unreachable += 1
                        replica = None
                await asyncio.sleep(self.every_s)
        finally:
            await primary.close()
            if replica is not None:
                await replica.close()

    async def _sample(
        self, primary: psycopg.AsyncConnection[Any], replica: psycopg.AsyncConnection[Any]
    ) -> float:
        row = await (await primary.execute("SELECT pg_current_wal_flush_lsn()::text")).fetchone()
        assert row is not None
        started = time.monotonic()
        while time.monotonic() - started < 30:
            replayed = await (
                await replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (row[0],))
            ).fetchone()
            if replayed is not None and replayed[0]:
                break
            await asyncio.sleep(0.002)
        return time.monotonic() - started

    def figures(self) -> dict[str, Any]:
        ordered = sorted(self.samples)
        if not ordered:
            return {"samples": 0, "unreachable": self.unreachable}
        cuts = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99
        return {
            "samples": len(ordered),
            "p50_ms": round(cuts[49] * 1000, 1),
            "p99_ms": round(cuts[98] * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1),
            "unreachable": self.unreachable,
        }


def check_replica_equals_primary(
    primary_url: str, replica_url: str, deployments: dict[str, Deployment]
) -> int:
    """Each read view of each deployment holds the same rows on the standby; returns rows compared."""
    compared = 0
    for deployment in deployments.values():
        for view in deployment.projection.views("x"):
            mine, theirs = view_rows(replica_url, deployment, view), view_rows(primary_url, deployment, view)
            assert mine == theirs, (
                f"{view} on the replica differs from the primary: {len(mine)} vs {len(theirs)}"
            )
            compared += len(mine)
    return compared
