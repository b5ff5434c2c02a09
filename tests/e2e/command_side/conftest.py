"""The command API and worker as processes (``python -m command_side``) on a private database and topic."""

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from uuid import uuid4

import httpx
import psycopg
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from sqlalchemy.engine import make_url

from infra.db import libpq_dsn
from infra.migrations.runner import upgrade
from infra.settings import REPO_ROOT
from infra.topics import ensure_topics_sync
from tests.e2e.command_side.cmd_e2e_support import CommandProcesses

API_KEYS = "operator:e2e-operator-key,checkout:e2e-checkout-key,viewer:e2e-viewer-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def command_processes(database_url: str, kafka_bootstrap: str) -> Iterator[CommandProcesses]:
    name = f"boxoffice_e2e_{uuid4().hex[:10]}"
    with psycopg.connect(libpq_dsn(database_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url, reader_password="boxoffice-reader")
    ensure_topics_sync(kafka_bootstrap)
    topic = f"test.cmd.e2e.{uuid4().hex[:10]}"
    asyncio.run(_topic(kafka_bootstrap, create=topic))
    port = free_port()
    env = {
        **os.environ,
        "BOXOFFICE_DATABASE_URL": url,
        "BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "BOXOFFICE_EVENTS_TOPIC": topic,
        "BOXOFFICE_API_KEYS": API_KEYS,
    }
    command = [sys.executable, "-m", "command_side"]
    processes = [
        subprocess.Popen(
            [*command, "command-api", "--port", str(port), "--log-level", "warning"], env=env, cwd=REPO_ROOT
        ),
        subprocess.Popen([*command, "command-worker", "--log-level", "WARNING"], env=env, cwd=REPO_ROOT),
    ]
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the command API did not become ready"
            time.sleep(0.2)
        yield CommandProcesses(base_url, url, kafka_bootstrap, topic)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
        with psycopg.connect(libpq_dsn(database_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        asyncio.run(_topic(kafka_bootstrap, delete=topic))


async def _topic(bootstrap: str, create: str | None = None, delete: str | None = None) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        if create:
            await admin.create_topics([NewTopic(create, 12, 1)])
        if delete:
            await admin.delete_topics([delete])
    finally:
        await admin.close()
