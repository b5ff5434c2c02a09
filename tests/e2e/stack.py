"""Start the boxoffice processes as a user runs them, on free ports, with private projections.

The projectors run under a unique registry name and views schema, so this
stack's read model is its own while the command side and topic are shared.
"""

import asyncio
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.datagen.catchup import wait_caught_up
from contracts.topics import EVENTS_TOPIC
from projections.catalog import PROJECTIONS
from projections.runtime.topic_offsets import end_offsets
from tests.support.processes import ChildProcess, free_port, typer_command, wait_answering

API_KEYS = "operator:e2e-operator-key,checkout:e2e-checkout-key,viewer:e2e-viewer-key"


@dataclass
class Stack:
    command_url: str
    query_url: str
    views_schema: str
    registry_names: list[str] = field(default_factory=list)
    processes: dict[str, ChildProcess] = field(default_factory=dict)

    def start_all(self) -> None:
        for process in self.processes.values():
            process.start()

    def stop_all(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Return once both APIs answer ``/readyz``; ChildFailed with every log tail if a process exits."""
        for url in (self.command_url, self.query_url):
            wait_answering(f"{url}/readyz", self.processes.values(), timeout)

    def wait_caught_up(self, database_url: str, bootstrap: str, timeout: float = 180.0) -> None:
        """Return once this stack's projectors have applied the shared topic up to its end offsets
        of now: they start from its beginning, and a test's first read with a token waits only
        seconds for its own event behind whatever earlier runs left on the topic."""
        ends = asyncio.run(end_offsets(bootstrap, EVENTS_TOPIC))
        asyncio.run(wait_caught_up(database_url, self.registry_names, ends, timeout))


def build_stack(database_url: str, bootstrap: str, log_dir: Path, suffix: str) -> Stack:
    env = {
        **os.environ,
        "BOXOFFICE_DATABASE_URL": database_url,
        "BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "BOXOFFICE_API_KEYS": API_KEYS,
        "PYTHONUNBUFFERED": "1",
    }
    command_port, query_port = free_port(), free_port()
    views = f"e2e_read_{suffix}"
    stack = Stack(f"http://127.0.0.1:{command_port}", f"http://127.0.0.1:{query_port}", views)

    def add(name: str, argv: list[str]) -> None:
        stack.processes[name] = ChildProcess(name, argv, env, log_dir / f"{name}.log")

    add("command-api", typer_command("cli.command_cmds", "command_api", "--port", str(command_port)))
    add("command-worker", typer_command("cli.command_cmds", "command_worker"))
    for projection in PROJECTIONS:
        stack.registry_names.append(f"e2e_{projection}_{suffix}")
        add(
            f"projector-{projection}",
            [sys.executable, "-m", "projections.runtime.process", projection,
             "--registry-name", f"e2e_{projection}_{suffix}", "--views-schema", views],
        )  # fmt: skip
    add(
        "query-api",
        typer_command("cli.query_cmds", "query_api", "--port", str(query_port), "--read-schema", views),
    )
    return stack
