"""The local topology: how many PostgreSQL hot standbys and Kafka nodes, and where each lives.

Guarantees:
- the defaults are one PostgreSQL primary and one Kafka node (broker and
  controller), on the ports and directories the single-node launcher always used;
- ``up`` records the topology it starts in ``<state>/topology.json``; a
  launcher whose settings leave it unset uses the recorded one, so ``status``,
  ``env``, ``down`` and ``resolve_services`` find a cluster started with
  ``--brokers 3 --replicas 1`` without being told again;
- a Kafka cluster of N nodes lives in ``<state>/kafka-cluster-N/node-<i>``, apart
  from the single node's ``<state>/kafka``: a KRaft quorum cannot change its
  static voters, so each size gets storage of its own;
- topics get replication factor ``min(brokers, 3)`` and ``min.insync.replicas``
  one less (at least 1): with 3 brokers an ``acks=all`` write survives one broker down.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from infra.launcher.settings import LauncherSettings
from infra.topic_setup import replication_for

RECORD_NAME = "topology.json"


def replication_factor(brokers: int) -> int:
    """Replicas of each partition on a cluster of ``brokers`` nodes."""
    return replication_for(brokers)[0]


def min_insync_replicas(brokers: int) -> int:
    """In-sync replicas an ``acks=all`` write needs: one fewer than the replicas, at least one."""
    return replication_for(brokers)[1]


def with_recorded_topology(settings: LauncherSettings) -> LauncherSettings:
    """The settings with an unset broker or replica count taken from the state dir's record."""
    recorded = read_record(settings.state_dir)
    brokers = settings.infra_brokers or recorded.get("brokers", 1)
    replicas = settings.infra_replicas if settings.infra_replicas is not None else recorded.get("replicas", 0)
    return settings.model_copy(update={"infra_brokers": brokers, "infra_replicas": replicas})


def read_record(state_dir: Path) -> dict[str, int]:
    """The recorded topology (``{"brokers": n, "replicas": m}``), empty when none or unreadable."""
    try:
        data = json.loads((state_dir / RECORD_NAME).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if k in ("brokers", "replicas") and isinstance(v, int)}


def write_record(settings: LauncherSettings) -> None:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    record = {"brokers": settings.brokers, "replicas": settings.replicas}
    (settings.state_dir / RECORD_NAME).write_text(json.dumps(record) + "\n")


@dataclass(frozen=True, slots=True)
class KafkaNode:
    """One Kafka process: its id, ports, directory and the quorum it votes in."""

    name: str
    node_id: int
    port: int
    controller_port: int
    home: Path
    heap: str
    brokers: int
    voters: str

    @property
    def cluster_home(self) -> Path:
        """Where the cluster id shared by every node of the cluster is kept."""
        return self.home.parent


def kafka_nodes(settings: LauncherSettings) -> tuple[KafkaNode, ...]:
    """Every Kafka node of the settings' topology, node 1 first."""
    host, count = settings.launcher_host, settings.brokers
    ports, controllers = settings.kafka_ports, settings.kafka_controller_ports
    voters = ",".join(f"{i + 1}@{host}:{port}" for i, port in enumerate(controllers))
    if count == 1:
        home, heap = settings.kafka_dir, settings.kafka_heap
        return (KafkaNode("kafka", 1, ports[0], controllers[0], home, heap, 1, voters),)
    cluster = cluster_dir(settings.state_dir, count)
    heap = settings.kafka_cluster_heap
    nodes = []
    for i in range(count):
        home = cluster / f"node-{i + 1}"
        nodes.append(KafkaNode(f"kafka-{i + 1}", i + 1, ports[i], controllers[i], home, heap, count, voters))
    return tuple(nodes)


def cluster_dir(state_dir: Path, brokers: int) -> Path:
    return state_dir / f"kafka-cluster-{brokers}"


def replica_home(state_dir: Path, index: int) -> Path:
    """Directory of hot standby ``index`` (from 1): ``<state>/postgres-replica-<index>``."""
    return state_dir / f"postgres-replica-{index}"


def replica_slot(index: int) -> str:
    """The primary's physical replication slot kept for hot standby ``index``."""
    return f"boxoffice_replica_{index}"
