"""Starting the stack for the demo, or reusing one that already answers.

The demo drives the stack as a user would: ``boxoffice up --detach`` to start
it, ``boxoffice down`` to stop it, and HTTP health checks in between. A stack
that was already running is reused and left running.
"""

import ipaddress
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from infra.launcher.child import answers

READY_TIMEOUT_SECONDS = 180.0
POLL_SECONDS = 0.5


class StackError(RuntimeError):
    """The stack could not be started or did not become ready; the message says which part."""


def require_loopback(url: str) -> str:
    """``url`` without a trailing slash, if its host is on this machine; the demo sends load nowhere else."""
    host = urlsplit(url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise StackError(f"{url} is not a loopback address; the demo only talks to a stack on this machine")
    return url.rstrip("/")


def boxoffice_executable() -> list[str]:
    """The ``boxoffice`` command of this environment (next to this interpreter), else on PATH."""
    beside = Path(sys.executable).with_name("boxoffice")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("boxoffice")
    if found:
        return [found]
    return [sys.executable, "-c", "from cli.main import app; app()"]


@dataclass(frozen=True, slots=True)
class StackHandle:
    """A stack the demo uses; ``started`` says whether the demo started it (and so stops it)."""

    command_url: str
    query_url: str
    started: bool

    def stop(self) -> None:
        """Stop the stack if this demo started it; a reused stack is left running."""
        if self.started:
            subprocess.run([*boxoffice_executable(), "down"], check=False, timeout=120)


def wait_ready(urls: list[str], timeout: float = READY_TIMEOUT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    waiting = list(urls)
    while waiting:
        waiting = [url for url in waiting if not answers(f"{url}/readyz")]
        if not waiting:
            return
        if time.monotonic() > deadline:
            raise StackError(
                f"not ready after {timeout:.0f} s: {', '.join(waiting)} (see `boxoffice up` logs)"
            )
        time.sleep(POLL_SECONDS)


def ensure_stack(command_url: str, query_url: str, timeout: float = READY_TIMEOUT_SECONDS) -> StackHandle:
    """Reuse the stack answering at these URLs, or start one with ``boxoffice up --detach``."""
    if answers(f"{command_url}/healthz") and answers(f"{query_url}/healthz"):
        wait_ready([command_url, query_url], timeout)
        return StackHandle(command_url, query_url, started=False)
    ports = [
        "--command-port",
        str(urlsplit(command_url).port or 80),
        "--query-port",
        str(urlsplit(query_url).port or 80),
    ]
    # `up --detach` returns once both APIs are ready (or fails saying why, with its log path).
    argv = [*boxoffice_executable(), "up", "--detach", "--ready-timeout", str(int(timeout)), *ports]
    result = subprocess.run(argv, check=False, timeout=timeout + 30)
    if result.returncode != 0:
        raise StackError(f"`boxoffice up --detach` exited with status {result.returncode}")
    handle = StackHandle(command_url, query_url, started=True)
    try:
        wait_ready([command_url, query_url], timeout)
    except StackError:
        handle.stop()
        raise
    return handle
