"""The launcher for real: idempotent ``up``, and data intact after ``kill -9`` of both servers.

Runs a private pair of services (own state dir in /tmp, own free ports), so
the shared services and anyone's ``var/`` are never touched.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from contracts import EVENTS_TOPIC
from infra.db import libpq_dsn
from infra.launcher import Launcher
from infra.launcher.proc import is_alive
from tests.support.kafka import produce_acks_all, read_values
from tests.support.launcher import isolated_launcher

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def launcher() -> Iterator[Launcher]:
    with isolated_launcher("boxoffice-launcher-test-") as private:
        yield private


def cli(launcher: Launcher, *args: str) -> subprocess.CompletedProcess[str]:
    """``boxoffice infra <args>`` against the private services, ignoring any shared-service env vars."""
    s = launcher.settings
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOXOFFICE_")}
    return subprocess.run(
        [str(Path(sys.executable).parent / "boxoffice"), "infra", *args, "--local",
         f"--state-dir={s.state_dir}",
         f"--kafka-port={s.kafka_port}", f"--kafka-controller-port={s.kafka_controller_port}",
         f"--postgres-port={s.postgres_port}"],
        env={**env, "COLUMNS": "200"}, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


def test_up_twice_is_harmless_and_reports_already_running(launcher: Launcher) -> None:
    first = launcher.up()
    pids = {s.name: s.pid for s in first.statuses}

    second = cli(launcher, "up")

    assert set(first.started) == {"kafka", "postgresql"}
    assert EVENTS_TOPIC in first.topics_created
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Kafka already running" in second.stdout
    assert "PostgreSQL already running" in second.stdout
    assert {s.name: s.pid for s in launcher.status()} == pids
    status = cli(launcher, "status")
    assert status.returncode == 0
    env = cli(launcher, "env")
    assert f"export BOXOFFICE_DATABASE_URL={launcher.settings.database_url}" in env.stdout
    assert (
        f"export BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS={launcher.settings.kafka_bootstrap_servers}" in env.stdout
    )


async def test_kill_9_then_up_keeps_messages_and_rows(launcher: Launcher) -> None:
    launcher.up()
    settings = launcher.settings
    topic, table = f"test.crash.{uuid4().hex}", f"crash_{uuid4().hex}"
    sent = [f"message {i}".encode() for i in range(50)]
    await write_messages(settings.kafka_bootstrap_servers, topic, sent)
    with psycopg.connect(libpq_dsn(settings.database_url)) as conn:
        conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, note text)")
        conn.cursor().executemany(
            f"INSERT INTO {table} VALUES (%s, %s)", [(i, f"row {i}") for i in range(100)]
        )

    pids = [s.pid for s in launcher.status() if s.pid is not None]
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    wait_until_gone(pids)
    down = launcher.status()
    restarted = launcher.up()

    # The pid files survive a kill -9; they must not be mistaken for live servers.
    assert len(pids) == 2
    assert (settings.kafka_dir / "kafka.pid").exists()
    assert (settings.postgres_dir / "data" / "postmaster.pid").exists()
    assert not any(s.running for s in down)
    assert set(restarted.started) == {"kafka", "postgresql"}
    assert await read_values(settings.kafka_bootstrap_servers, topic, len(sent)) == sent
    with psycopg.connect(libpq_dsn(settings.database_url)) as conn:
        rows = conn.execute(f"SELECT count(*), min(note), max(id) FROM {table}").fetchone()
    assert rows == (100, "row 0", 99)


def test_down_stops_both_and_a_later_up_finds_the_data(launcher: Launcher) -> None:
    launcher.up()

    stopped = launcher.down()
    status = cli(launcher, "status")

    assert set(stopped) == {"kafka", "postgresql"}
    assert status.returncode == 1
    assert "stopped" in status.stdout
    assert launcher.down() == ()  # nothing left to stop
    assert set(launcher.up().started) == {"kafka", "postgresql"}
    assert (launcher.settings.kafka_dir / "data" / "meta.properties").is_file()


def wait_until_gone(pids: list[int]) -> None:
    """Wait (bounded) until the killed processes have exited, every thread of them."""
    for _ in range(300):
        if not any(is_alive(pid) for pid in pids):
            return
        time.sleep(0.1)


async def write_messages(bootstrap: str, topic: str, values: list[bytes]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 1, 1)])
    finally:
        await admin.close()
    await produce_acks_all(bootstrap, topic, values)
