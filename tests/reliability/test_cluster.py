"""The whole topology under a mixed load, losing one of everything, and still exact.

On a private cluster (three KRaft nodes, topics with replication factor 3 and
``min.insync.replicas=2``, a PostgreSQL hot standby) two command APIs, two
command workers, two projector instances per projection and two query APIs
(one on the primary, one on the replica) serve checkout journeys across many
shows, each accepted command's write read back with its token. One after the
other: a Kafka node is SIGKILLed and restarted, the relay leader, one
projector instance per projection and one command API are SIGKILLed, the
replica is stopped and restarted. Then the usual ending (every accepted
command's effects found; the topic is the outbox, per show in seq order; each
read model equals a clean replay), plus: no read behind a token was stale on
either query API, and the replica's read views equal the primary's.
The figures go to ``var/reliability/cluster-latest.{json,md}``.
"""

import asyncio
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from command_side.settings import CommandSettings
from infra.launcher import Launcher
from infra.migrations.runner import upgrade
from infra.settings import ServiceSettings
from tests.reliability.harness import checks_write as wr
from tests.reliability.harness.cluster import (
    ReplicaLag,
    check_replica_equals_primary,
    cluster_settings,
    replay_position_reached,
)
from tests.reliability.harness.cluster_faults import ClusterFaults
from tests.reliability.harness.cluster_report import write_report
from tests.reliability.harness.scenario import run_with_fault, settle_and_verify
from tests.reliability.harness.stack import Services, Stack
from tests.reliability.harness.token_reads import ReadingLoad

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.slow]
LEADER_RETRY_S = CommandSettings.model_fields["relay_leader_retry_seconds"].default
LOAD_LIMIT_S = 240  # a bound only: the load ends once every fault is done
TOPOLOGY = {
    "kafka_nodes": 3,
    "replicas": 1,
    "command_apis": 2,
    "command_workers": 2,
    "projector_instances_each": 2,
    "query_apis": 2,
}


@pytest.fixture(scope="module")
def cluster() -> Iterator[Launcher]:
    state = Path(tempfile.mkdtemp(prefix="boxoffice-cluster-"))
    state.chmod(0o755)
    launcher = Launcher(cluster_settings(state))
    try:
        launcher.up()
        password = ServiceSettings().reader_password.get_secret_value()
        upgrade(launcher.settings.database_url, reader_password=password)
        yield launcher
    finally:
        launcher.down()
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
def stack(cluster: Launcher, tmp_path: Path) -> Iterator[Stack]:
    s = cluster.settings
    services = Services(s.database_url, s.kafka_bootstrap_servers, s.replica_database_urls[0])
    built = Stack(
        services,
        tmp_path / "logs",
        command_apis=2,
        workers=2,
        projectors_each=2,
        query_apis=2,
        api_workers=1,
        leader_retry_s=LEADER_RETRY_S,  # the standby retries as in production, so its takeover is too
    )
    yield built
    built.stop()


async def test_the_cluster_loses_one_of_everything_under_load_and_stays_exact(
    cluster: Launcher, stack: Stack, record_figures: Any
) -> None:
    started = time.monotonic()
    db, replica = cluster.settings.database_url, cluster.settings.replica_database_urls[0]
    await asyncio.to_thread(stack.start)
    load = ReadingLoad(stack.api_urls, stack.keys, stack.query_urls)
    await load.setup(shows=12)
    lag = ReplicaLag(db, replica)
    stop_sampling = asyncio.Event()
    sampler = asyncio.create_task(lag.run(stop_sampling))
    faults = ClusterFaults(cluster, stack, load, lag)

    _, injected = await run_with_fault(
        stack, load, faults.one_of_everything, duration_s=LOAD_LIMIT_S, max_journeys=20_000, customers=6
    )
    await load.drain()
    stop_sampling.set()
    await sampler
    figures = await settle_and_verify(stack, load, set())
    await wr.wait_for(lambda: replay_position_reached(db, replica), "the replica to replay everything", 60)
    replica_rows = check_replica_equals_primary(db, replica, stack.deployments)
    reads = load.reads.figures()
    result = {
        "scenario": "cluster: 3 Kafka nodes, a replica, two of each process; one of everything lost",
        "topology": TOPOLOGY,
        "faults": injected,
        "token_reads": reads,
        "replica_lag": lag.figures(),
        "replica_view_rows_equal_primary": replica_rows,
        **figures,
        "wall_seconds": round(time.monotonic() - started, 1),
        "timeline": faults.timeline,
    }
    record_figures(result)
    write_report(result)
    broker = injected["kafka_node_sigkilled"]
    assert broker["accepted_while_down"] > 0
    assert broker["published_while_down"] > 0, "the relay stopped with one Kafka node down"
    assert broker["projected_while_down"] > 0, "the projectors stopped with one Kafka node down"
    assert injected["command_api_sigkilled"]["accepted_by_the_survivor_in_5s"] > 0
    assert reads["stale"] == 0, load.reads.stale[:10]
    for api in stack.query_urls:
        assert reads["by_query_api"][api].get("exact", 0) > 0, f"{api} answered no read exactly: {reads}"
    allowed = {"exact", "behind", "unavailable"}
    bad = {o for counts in reads["by_query_api"].values() for o in counts} - allowed
    assert not bad, f"token reads answered otherwise: {reads}"
    assert figures["lost"] == 0
