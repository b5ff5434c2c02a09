"""A whole stack on ports of its own, as separate ``boxoffice`` processes.

For end-to-end tests and side-by-side runs: starts ``command-api``,
``command-worker``, ``projector`` and ``query-api`` (the commands a user runs),
against the services ``infra.services`` resolves, and stops them all on exit
(SIGTERM, then SIGKILL after a grace period). Logs go to one file per process.
"""

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cli.demo.stack import StackError, answers, boxoffice_executable, wait_ready

STOP_GRACE_SECONDS = 10.0


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class LocalStack:
    command_url: str
    query_url: str
    log_dir: Path

    def logs(self) -> str:
        """The tail of every process's log, for a failing test's report."""
        parts = []
        for path in sorted(self.log_dir.glob("*.log")):
            parts.append(f"--- {path.name} ---\n{path.read_text(errors='replace')[-4000:]}")
        return "\n".join(parts)


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def local_stack(
    log_dir: Path, ready_timeout: float = 120.0, cli: list[str] | None = None
) -> Iterator[LocalStack]:
    """Run the four processes until the block exits; raises StackError if they do not become ready.

    ``cli`` is the ``boxoffice`` command to run (default: the one of this environment).
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    command_port, query_port = free_port(), free_port()
    cli = cli or boxoffice_executable()
    commands = {
        "command-api": [*cli, "command-api", "--port", str(command_port), "--log-level", "warning"],
        "command-worker": [*cli, "command-worker"],
        "projector": [*cli, "projector"],
        "query-api": [*cli, "query-api", "--port", str(query_port), "--log-level", "warning"],
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for name, argv in commands.items():
            with (log_dir / f"{name}.log").open("wb") as log:
                processes.append(
                    subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())
                )
        stack = LocalStack(f"http://127.0.0.1:{command_port}", f"http://127.0.0.1:{query_port}", log_dir)
        deadline = time.monotonic() + ready_timeout
        while not (answers(stack.command_url) and answers(stack.query_url)):
            exited = [name for name, p in zip(commands, processes, strict=True) if p.poll() is not None]
            if exited or time.monotonic() > deadline:
                raise StackError(f"stack did not start ({', '.join(exited) or 'timeout'}):\n{stack.logs()}")
            time.sleep(0.3)
        wait_ready([stack.command_url, stack.query_url], max(1.0, deadline - time.monotonic()))
        yield stack
    finally:
        _stop(processes)
