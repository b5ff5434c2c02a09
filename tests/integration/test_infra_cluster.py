"""The launcher's cluster topology for real: a hot standby and a three-node KRaft cluster.

Runs a private topology (own state dir in /tmp, own free ports), so the shared
services and anyone's ``var/`` are never touched; every node is stopped at the
end whatever happens. Three JVMs and two PostgreSQL servers on a small
machine start in a minute or two.
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from contracts import DEAD_LETTER_TOPIC, EVENTS_TOPIC
from infra.db import libpq_dsn
from infra.launcher import Launcher
from infra.launcher.proc import free_ports, is_alive, port_is_free
from infra.services import resolve_services
from infra.settings import ServiceSettings
from tests.support.kafka import produce_acks_all, read_values
from tests.support.launcher import isolated_launcher

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(900)]

NODES = {"postgresql", "postgresql-replica-1", "kafka-1", "kafka-2", "kafka-3"}


def consecutive_free_ports(count: int, taken: list[int]) -> int:
    """The first of ``count`` consecutive free ports none of which is in ``taken``."""
    while True:
        first = free_ports(1)[0]
        run = range(first, first + count)
        if all(p not in taken and port_is_free("127.0.0.1", p) for p in run):
            taken.extend(run)
            return first


@pytest.fixture(scope="module")
def cluster() -> Iterator[Launcher]:
    taken: list[int] = []
    with isolated_launcher(
        "boxoffice-cluster-test-",
        infra_brokers=3,
        infra_replicas=1,
        kafka_port=consecutive_free_ports(3, taken),
        kafka_cluster_controller_port=consecutive_free_ports(3, taken),
        postgres_port=consecutive_free_ports(1, taken),
        postgres_replica_port=consecutive_free_ports(1, taken),
        ready_timeout_s=400,
    ) as launcher:
        yield launcher


def cli(launcher: Launcher, *args: str) -> subprocess.CompletedProcess[str]:
    """``boxoffice infra <args>`` against the private topology, which it finds in the state dir."""
    s = launcher.settings
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOXOFFICE_")}
    env |= {
        "BOXOFFICE_KAFKA_CLUSTER_CONTROLLER_PORT": str(s.kafka_cluster_controller_port),
        "BOXOFFICE_POSTGRES_REPLICA_PORT": str(s.postgres_replica_port),
        "COLUMNS": "200",
    }
    return subprocess.run(
        [str(Path(sys.executable).parent / "boxoffice"), "infra", *args, "--local",
         f"--state-dir={s.state_dir}", f"--kafka-port={s.kafka_port}", f"--postgres-port={s.postgres_port}"],
        env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


def test_up_starts_a_replica_and_three_brokers_and_status_names_each_role(cluster: Launcher) -> None:
    result = cluster.up()

    status = cli(cluster, "status", "--json")
    env = cli(cluster, "env")
    services = resolve_services(
        settings=ServiceSettings(database_url=None, kafka_bootstrap_servers=None),
        launcher_settings=cluster.settings,
    )

    assert set(result.started) == NODES
    assert {EVENTS_TOPIC, DEAD_LETTER_TOPIC} <= set(result.topics_created)
    assert status.returncode == 0, status.stdout + status.stderr
    nodes = {n["name"]: n for n in json.loads(status.stdout)["nodes"]}
    assert set(nodes) == NODES
    assert all(n["running"] for n in nodes.values())
    assert nodes["postgresql"]["role"] == "postgres primary"
    assert nodes["postgresql-replica-1"]["role"] == "postgres replica"
    assert nodes["postgresql-replica-1"]["replay_lag_bytes"] is not None
    assert nodes["kafka-2"]["role"] == "kafka broker 2, controller"
    s = cluster.settings
    bootstrap = ",".join(f"127.0.0.1:{s.kafka_port + i}" for i in range(3))
    assert services.kafka_bootstrap_servers == bootstrap
    assert f"export BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS={bootstrap}" in env.stdout
    assert services.replica_query_database_url is not None
    assert f":{s.postgres_replica_port}/boxoffice" in services.replica_query_database_url
    assert f"export BOXOFFICE_QUERY_DATABASE_URL={services.replica_query_database_url}" in env.stdout


def test_a_row_written_on_the_primary_is_read_on_the_replica_which_refuses_writes(cluster: Launcher) -> None:
    cluster.up()
    table = f"replicated_{uuid4().hex}"
    replica_url = cluster.settings.replica_database_urls[0]
    with psycopg.connect(libpq_dsn(cluster.settings.database_url), autocommit=True) as primary:
        primary.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, note text)")
        primary.execute(f"INSERT INTO {table} SELECT i, 'row ' || i FROM generate_series(1, 100) i")

    seen = None
    with psycopg.connect(libpq_dsn(replica_url), autocommit=True) as replica:
        for _ in range(300):  # bounded: a replica that never replays fails the comparison
            if replica.execute("SELECT 1 FROM pg_tables WHERE tablename = %s", (table,)).fetchone():
                seen = replica.execute(f"SELECT count(*), max(note) FROM {table}").fetchone()
                if seen == (100, "row 99"):
                    break
            time.sleep(0.1)
        in_recovery = replica.execute("SELECT pg_is_in_recovery()").fetchone()
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            replica.execute(f"INSERT INTO {table} VALUES (0, 'refused')")

    assert seen == (100, "row 99")
    assert in_recovery == (True,)


async def test_topics_are_replicated_three_times_and_need_two_in_sync(cluster: Launcher) -> None:
    cluster.up()

    partitions, config = await describe(cluster.settings.kafka_bootstrap_servers, EVENTS_TOPIC)

    assert len(partitions) == 12
    assert all(len(p["replicas"]) == 3 for p in partitions)
    assert config["min.insync.replicas"] == "2"
    assert config["retention.ms"] == "-1"


async def test_acks_all_writes_go_on_with_a_broker_killed_and_it_rejoins(cluster: Launcher) -> None:
    cluster.up()
    bootstrap = cluster.settings.kafka_bootstrap_servers
    topic = f"test.cluster.{uuid4().hex}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 3, 3, topic_configs={"min.insync.replicas": "2"})])
    finally:
        await admin.close()
    victim = cluster.kafka_nodes[1]
    pid = victim.pid()
    assert pid is not None

    os.kill(pid, signal.SIGKILL)
    await asyncio.to_thread(wait_until_gone, pid)
    sent = [f"message {i}".encode() for i in range(30)]
    async with asyncio.timeout(180):
        await produce_acks_all(bootstrap, topic, sent, partitions=3)
    down = victim.status()
    restarted = await asyncio.to_thread(cluster.up)
    isr = await wait_for_full_isr(bootstrap, topic)
    received = await read_values(bootstrap, topic, len(sent))

    assert not down.running
    assert restarted.started == ("kafka-2",)
    assert isr == [3, 3, 3]
    assert sorted(received) == sorted(sent)


def test_down_stops_every_node(cluster: Launcher) -> None:
    cluster.up()

    stopped = cluster.down()
    status = cli(cluster, "status", "--json")

    assert set(stopped) == NODES
    assert not any(s.running for s in cluster.status())
    assert status.returncode == 1
    assert not any(n["running"] for n in json.loads(status.stdout)["nodes"])
    assert cluster.down() == ()


def wait_until_gone(pid: int) -> None:
    """Wait (bounded) until the killed process has exited, every thread of it."""
    for _ in range(300):
        if not is_alive(pid):
            return
        time.sleep(0.1)


async def describe(bootstrap: str, topic: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """A topic's partitions (replicas, isr) and its configuration, as the cluster reports them."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
        responses = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    finally:
        await admin.close()
    config: dict[str, str] = {}
    for response in responses:
        for resource in response.to_object()["resources"]:
            for entry in resource["config_entries"]:
                config[entry["config_names"]] = entry["config_value"]
    return list(described["partitions"]), config


async def wait_for_full_isr(bootstrap: str, topic: str) -> list[int]:
    """In-sync replica count per partition, once every one has 3 (or as found after 3 minutes)."""
    sizes: list[int] = []
    for _ in range(90):
        partitions, _ = await describe(bootstrap, topic)
        sizes = [len(p["isr"]) for p in sorted(partitions, key=lambda p: int(p["partition"]))]
        if sizes and all(size == 3 for size in sizes):
            break
        await asyncio.sleep(2)
    return sizes
