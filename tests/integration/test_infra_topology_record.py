"""The topology ``up`` records in the state dir, which later commands use when told none."""

from pathlib import Path

import pytest

from infra.launcher import Launcher, LauncherSettings
from infra.launcher.topology import with_recorded_topology, write_record

pytestmark = pytest.mark.integration


def test_an_unset_topology_is_the_one_last_started(tmp_path: Path) -> None:
    fresh = with_recorded_topology(LauncherSettings.model_construct(state_dir=tmp_path))
    write_record(LauncherSettings.model_construct(state_dir=tmp_path, infra_brokers=3, infra_replicas=1))

    recorded = Launcher(LauncherSettings.model_construct(state_dir=tmp_path))
    explicit = with_recorded_topology(
        LauncherSettings.model_construct(state_dir=tmp_path, infra_brokers=1, infra_replicas=0)
    )

    assert (fresh.brokers, fresh.replicas) == (1, 0)
    assert (recorded.settings.brokers, recorded.settings.replicas) == (3, 1)
    assert [node.name for node in recorded.kafka_nodes] == ["kafka-1", "kafka-2", "kafka-3"]
    assert [replica.port for replica in recorded.replicas] == [54330]
    assert (explicit.brokers, explicit.replicas) == (1, 0)


def test_a_broken_record_means_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "topology.json").write_text("{not json")

    settings = with_recorded_topology(LauncherSettings.model_construct(state_dir=tmp_path))

    assert (settings.brokers, settings.replicas) == (1, 0)
