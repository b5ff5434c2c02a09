"""How services are resolved, and the launcher's refusals, without starting any server.

These touch the file system, sockets and subprocesses (hence integration) but
start nothing: every case fails or returns before a server would be spawned.
"""

import base64
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from infra.launcher import Launcher, LauncherError, LauncherSettings
from infra.launcher.kafka import new_cluster_id
from infra.launcher.postgres import PostgresCluster
from infra.services import ServicesNotRunningError, resolve_services
from infra.settings import ServiceSettings

pytestmark = pytest.mark.integration

DB = "postgresql+psycopg://u:p@db.example:5432/boxoffice"


@pytest.fixture
def listening() -> Iterator[int]:
    """A port something listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def private(tmp_path: Path, **overrides: object) -> LauncherSettings:
    return LauncherSettings(state_dir=tmp_path / "var", port_wait_s=0.5).model_copy(update=overrides)


def test_configured_services_are_used_and_nothing_is_started(tmp_path: Path) -> None:
    settings = ServiceSettings(
        database_url=DB, kafka_bootstrap_servers="kafka.example:9092", state_dir=tmp_path
    )

    services = resolve_services(start=True, settings=settings)

    assert (services.database_url, services.kafka_bootstrap_servers) == (DB, "kafka.example:9092")
    assert services.external
    assert services.settings is settings
    assert list(tmp_path.iterdir()) == []  # the launcher never ran


def test_only_one_variable_set_is_refused(tmp_path: Path) -> None:
    settings = ServiceSettings(database_url=DB, kafka_bootstrap_servers=None, state_dir=tmp_path)

    with pytest.raises(LauncherError, match="only one of"):
        resolve_services(settings=settings)


def test_nothing_configured_and_nothing_running_says_what_to_do(tmp_path: Path) -> None:
    settings = ServiceSettings(database_url=None, kafka_bootstrap_servers=None, state_dir=tmp_path / "var")

    with pytest.raises(ServicesNotRunningError, match="run `boxoffice infra up`"):
        resolve_services(settings=settings, launcher_settings=private(tmp_path))


def test_local_urls_come_from_the_launcher_settings(tmp_path: Path) -> None:
    settings = private(tmp_path, kafka_port=29999, postgres_port=25999)

    assert settings.kafka_bootstrap_servers == "127.0.0.1:29999"
    assert settings.database_url == "postgresql+psycopg://boxoffice:boxoffice@127.0.0.1:25999/boxoffice"


def test_missing_java_is_named(tmp_path: Path) -> None:
    launcher = Launcher(private(tmp_path, java_bin="/nonexistent/java"))

    with pytest.raises(LauncherError, match=r"Java \(/nonexistent/java\) is not installed"):
        launcher.up()
    assert launcher.kafka.pid() is None


def test_a_taken_kafka_port_is_named(tmp_path: Path, listening: int) -> None:
    launcher = Launcher(private(tmp_path, kafka_port=listening))

    with pytest.raises(
        LauncherError, match=f"Kafka cannot listen on 127.0.0.1:{listening}: the port is taken"
    ):
        launcher.kafka.start(report=lambda _: None)
    assert launcher.kafka.pid() is None


def test_a_taken_postgres_port_is_named(tmp_path: Path, listening: int) -> None:
    cluster = PostgresCluster(private(tmp_path, postgres_port=listening))

    with pytest.raises(LauncherError, match=f"PostgreSQL cannot listen on 127.0.0.1:{listening}"):
        cluster.start(report=lambda _: None, deadline=0)
    assert not (cluster.data_dir / "PG_VERSION").exists()


def test_cli_env_fails_clearly_when_the_local_services_are_down(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["infra", "env", "--local", f"--state-dir={tmp_path / 'var'}"],
        env={"BOXOFFICE_DATABASE_URL": "", "BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS": ""},
    )

    assert result.exit_code == 1
    assert "boxoffice infra up" in result.output
    assert "export" not in result.output


def test_cli_env_prints_the_configured_services() -> None:
    result = CliRunner().invoke(
        app,
        ["infra", "env"],
        env={"BOXOFFICE_DATABASE_URL": DB, "BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS": "kafka.example:9092"},
    )

    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"export BOXOFFICE_DATABASE_URL={DB}",
        "export BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS=kafka.example:9092",
    ]


def test_cluster_ids_are_base64_uuids_the_storage_tool_accepts() -> None:
    ids = [new_cluster_id() for _ in range(2000)]

    assert all(len(i) == 22 and not i.startswith("-") for i in ids)
    assert all(len(base64.urlsafe_b64decode(i + "==")) == 16 for i in ids)
    assert len(set(ids)) == len(ids)
