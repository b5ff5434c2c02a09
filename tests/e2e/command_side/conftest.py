"""The command API and worker as processes (``python -m command_side``) on a private database and topic."""

import asyncio
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from aiokafka.admin import NewTopic

from infra.settings import REPO_ROOT
from infra.topic_setup import ensure_topics_sync
from tests.e2e.command_side.cmd_e2e_support import CommandProcesses
from tests.support.database import private_database
from tests.support.kafka import create_topics, delete_topics
from tests.support.processes import ChildProcess, free_port

API_KEYS = "operator:e2e-operator-key,checkout:e2e-checkout-key,viewer:e2e-viewer-key"


@pytest.fixture(scope="session")
def command_processes(
    database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CommandProcesses]:
    ensure_topics_sync(kafka_bootstrap)
    topic = f"test.cmd.e2e.{uuid4().hex[:10]}"
    asyncio.run(create_topics(kafka_bootstrap, [NewTopic(topic, 12, 1)]))
    logs = tmp_path_factory.mktemp("cmd-e2e-logs")
    port = free_port()
    with private_database(database_url, "boxoffice_e2e") as url:
        env = {
            **os.environ,
            "BOXOFFICE_DATABASE_URL": url,
            "BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
            "BOXOFFICE_EVENTS_TOPIC": topic,
            "BOXOFFICE_API_KEYS": API_KEYS,
        }
        api = _child("command-api", ["--port", str(port), "--log-level", "warning"], env, logs)
        worker = _child("command-worker", ["--log-level", "WARNING"], env, logs)
        base_url = f"http://127.0.0.1:{port}"
        try:
            api.start()
            worker.start()
            api.wait_answering(f"{base_url}/readyz", within_s=30)
            yield CommandProcesses(base_url, url, kafka_bootstrap, topic)
        finally:
            api.stop(grace_s=20)
            worker.stop(grace_s=20)
            asyncio.run(delete_topics(kafka_bootstrap, [topic]))


def _child(name: str, args: list[str], env: dict[str, str], logs: Path) -> ChildProcess:
    argv = [sys.executable, "-m", "command_side", name, *args]
    return ChildProcess(name, argv, env, logs / f"{name}.log", cwd=REPO_ROOT)
