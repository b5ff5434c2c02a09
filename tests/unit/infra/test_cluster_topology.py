"""The cluster topology on paper: node layout, broker settings, and the compose file agreeing with them."""

import re
from pathlib import Path
from typing import Any

import yaml

from contracts.topics import EVENTS_TOPIC_PARTITIONS
from infra.launcher.kafka_config import server_properties
from infra.launcher.postgres_bin import PREFERRED_MAJOR
from infra.launcher.postgres_replica import REPLICATION_ROLE
from infra.launcher.settings import LauncherSettings
from infra.launcher.topology import (
    kafka_nodes,
    min_insync_replicas,
    replica_slot,
    replication_factor,
)
from infra.settings import REPO_ROOT

COMPOSE = REPO_ROOT / "infra" / "docker-compose.cluster.yml"
POM = REPO_ROOT / "infra" / "kafka" / "pom.xml"


def defaults(**overrides: Any) -> LauncherSettings:
    """The launcher's defaults (no environment read), with some overridden."""
    return LauncherSettings.model_construct(**overrides)


def properties(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line)


def test_the_single_node_keeps_its_ports_directory_and_replication_factor_1() -> None:
    settings = defaults()

    (node,) = kafka_nodes(settings)
    config = properties(server_properties(settings, node, Path("/data")))

    assert (node.name, node.port, node.controller_port) == ("kafka", 19092, 19093)
    assert node.home == settings.kafka_dir
    assert settings.kafka_bootstrap_servers == "127.0.0.1:19092"
    assert settings.replica_ports == ()
    assert config["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert config["default.replication.factor"] == "1"
    assert config["min.insync.replicas"] == "1"
    assert "broker.session.timeout.ms" not in config


def test_three_brokers_are_three_voters_on_their_own_ports_with_rf_3_and_min_insync_2() -> None:
    settings = defaults(infra_brokers=3, infra_replicas=1)

    nodes = kafka_nodes(settings)
    configs = [properties(server_properties(settings, node, node.home / "data")) for node in nodes]

    assert [n.port for n in nodes] == [19092, 19093, 19094]
    assert [n.controller_port for n in nodes] == [19192, 19193, 19194]
    assert len({n.home for n in nodes}) == 3
    assert all(n.home.parent == settings.state_dir / "kafka-cluster-3" for n in nodes)
    assert settings.kafka_bootstrap_servers == "127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094"
    assert settings.replica_ports == (54330,)
    assert [c["node.id"] for c in configs] == ["1", "2", "3"]
    voters = "1@127.0.0.1:19192,2@127.0.0.1:19193,3@127.0.0.1:19194"
    assert all(c["controller.quorum.voters"] == voters for c in configs)
    assert configs[1]["listeners"] == "PLAINTEXT://127.0.0.1:19093,CONTROLLER://127.0.0.1:19193"
    for key in ("default.replication.factor", "offsets.topic.replication.factor"):
        assert {c[key] for c in configs} == {"3"}
    for key in ("min.insync.replicas", "transaction.state.log.min.isr"):
        assert {c[key] for c in configs} == {"2"}


def test_replication_follows_the_broker_count() -> None:
    assert [replication_factor(n) for n in (1, 2, 3, 5)] == [1, 2, 3, 3]
    assert [min_insync_replicas(n) for n in (1, 2, 3, 5)] == [1, 1, 2, 2]


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def published(service: dict[str, Any]) -> list[int]:
    """Host ports a service publishes on 127.0.0.1."""
    return [int(p.split(":")[1]) for p in service["ports"]]


def test_the_compose_cluster_has_the_launchers_brokers_ports_and_replication() -> None:
    settings = defaults(infra_brokers=3, infra_replicas=1)
    services = compose()["services"]
    kafka = [services[name] for name in sorted(services) if name.startswith("kafka-")]
    pom_version = re.search(r"<kafka.version>([^<]+)</kafka.version>", POM.read_text())

    assert len(kafka) == settings.brokers
    assert pom_version is not None
    voters = ",".join(
        f"{i + 1}@kafka-{i + 1}:{port}" for i, port in enumerate(settings.kafka_controller_ports)
    )
    for i, (service, port) in enumerate(zip(kafka, settings.kafka_ports, strict=True)):
        env = service["environment"]
        assert service["image"] == f"apache/kafka:{pom_version.group(1)}"
        assert published(service) == [port]
        assert env["KAFKA_NODE_ID"] == i + 1
        assert f"EXTERNAL://127.0.0.1:{port}" in env["KAFKA_ADVERTISED_LISTENERS"]
        assert f"CONTROLLER://:{settings.kafka_controller_ports[i]}" in env["KAFKA_LISTENERS"]
        assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == voters
        assert env["KAFKA_NUM_PARTITIONS"] == EVENTS_TOPIC_PARTITIONS
        assert env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == replication_factor(settings.brokers)
        assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == replication_factor(settings.brokers)
        assert env["KAFKA_MIN_INSYNC_REPLICAS"] == min_insync_replicas(settings.brokers)


def test_the_compose_primary_and_replica_have_the_launchers_ports_slot_and_role() -> None:
    settings = defaults(infra_brokers=3, infra_replicas=1)
    services = compose()["services"]
    primary, replica = services["postgres"], services["postgres-replica-1"]
    init_script = (REPO_ROOT / "infra" / "docker" / "replication-primary.sh").read_text()

    assert primary["image"] == replica["image"] == f"postgres:{PREFERRED_MAJOR}"
    assert published(primary) == [settings.postgres_port]
    assert published(replica) == list(settings.replica_ports)
    assert f"-S {replica_slot(1)}" in replica["command"][0]
    assert f"user={REPLICATION_ROLE}" in replica["command"][0]
    assert f"pg_create_physical_replication_slot('{replica_slot(1)}'" in init_script
    assert f"CREATE ROLE {REPLICATION_ROLE} WITH REPLICATION" in init_script
