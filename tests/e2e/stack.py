"""Start the boxoffice processes as a user runs them, on free ports, with private projections.

The projectors run under a unique registry name and views schema, so this
stack's read model is its own while the command side and topic are shared.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

API_KEYS = "operator:e2e-operator-key,checkout:e2e-checkout-key,viewer:e2e-viewer-key"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def typer_command(module: str, function: str, *args: str) -> list[str]:
    """Run one typer command function directly (the same function ``boxoffice <name>`` runs)."""
    code = f"import typer; from {module} import {function}; typer.run({function})"
    return [sys.executable, "-c", code, *args]


@dataclass
class Process:
    name: str
    argv: list[str]
    log: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.argv, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def stop(self, grace: float = 15.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Stack:
    command_url: str
    query_url: str
    views_schema: str
    processes: dict[str, Process] = field(default_factory=dict)

    def start_all(self) -> None:
        for process in self.processes.values():
            process.start()

    def stop_all(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        for url in (self.command_url, self.query_url):
            while not _ready(url):
                crashed = [p for p in self.processes.values() if p.proc and p.proc.poll() is not None]
                if crashed or time.monotonic() > deadline:
                    logs = "\n".join(f"--- {p.name}\n{p.tail()}" for p in self.processes.values())
                    raise RuntimeError(
                        f"stack not ready ({url}); crashed: {[p.name for p in crashed]}\n{logs}"
                    )
                time.sleep(0.3)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


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
        stack.processes[name] = Process(name, argv, log_dir / f"{name}.log", env)

    add("command-api", typer_command("cli.command_cmds", "command_api", "--port", str(command_port)))
    add("command-worker", typer_command("cli.command_cmds", "command_worker"))
    for projection in ("seat_availability", "dashboard"):
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
