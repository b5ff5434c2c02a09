"""Child processes of a test deployment: started with their output captured, signalled by pid.

Each child leads its own process group (``start_new_session``), so a SIGKILL
reaches it and nothing else, and a test never signals a process it did not
start. Every line a child writes goes to its own log file, which tests grep
afterwards (secrets must never appear there).
"""

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from infra.launcher.proc import port_is_free
from infra.settings import REPO_ROOT

PYTHON = sys.executable


def free_ports(count: int) -> list[int]:
    """Free loopback ports below the ephemeral range, so no outgoing connection takes them meanwhile."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    rng = random.Random()
    chosen: list[int] = []
    while len(chosen) < count:
        port = rng.randrange(20000, min(low, 32768))
        if port not in chosen and port_is_free("127.0.0.1", port):
            chosen.append(port)
    return chosen


def clean_environment(**overrides: str) -> dict[str, str]:
    """The current environment without any ``BOXOFFICE_*`` variable, plus ``overrides``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOXOFFICE_")}
    # unbuffered, so a SIGKILLed child's last lines are in its log too
    return {**env, "PYTHONUNBUFFERED": "1", **overrides}


@dataclass
class Child:
    """One process of the deployment; restartable, its log kept across restarts."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    health_url: str | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    starts: int = 0
    kills: int = 0
    crashes: int = 0
    # set while a test holds the child down on purpose, so the watchdog leaves it down
    held_down: bool = False

    def start(self) -> None:
        self.held_down = False
        if self.alive:
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"---- start {self.starts + 1} of {self.name} ----\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL the child (and its group): no cleanup, no goodbye to Kafka or PostgreSQL."""
        self.held_down = True
        if self.alive:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            self.kills += 1
        if self.process is not None:
            self.process.wait(timeout=30)

    def stop(self, grace_s: float = 15.0) -> None:
        """SIGTERM, then SIGKILL after ``grace_s``."""
        self.held_down = True
        if not self.alive:
            return
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            self.kill()

    def restart_if_crashed(self) -> bool:
        """Start the child again if it exited without being told to (what ``boxoffice up`` does)."""
        if self.process is None or self.held_down or self.alive:
            return False
        self.crashes += 1
        self.start()
        return True

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def wait_healthy(self, within_s: float = 60.0) -> None:
        """Return once ``health_url`` answers 200; raise with the log tail if the child dies or stalls."""
        if self.health_url is None:
            return
        deadline = time.monotonic() + within_s
        while True:
            if not self.alive:
                raise AssertionError(f"{self.name} exited:\n{self.log_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.health_url, timeout=2).status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.name} did not answer {self.health_url}:\n{self.log_text()[-3000:]}"
                )
            time.sleep(0.2)


def boxoffice_argv(*args: str) -> list[str]:
    """argv of the ``boxoffice`` command installed next to this interpreter, as users run it."""
    return [str(Path(PYTHON).parent / "boxoffice"), *args]
