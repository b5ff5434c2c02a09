"""A child process whose output goes to a log file, and waiting for it to answer over HTTP.

Guarantees:
- the child leads its own session (``start_new_session``), so a signal sent to
  its process group reaches it and its own children and nothing else, and a
  terminal's Ctrl-C reaches only the parent, which decides when children stop;
- :meth:`ChildProcess.stop` sends SIGTERM to the group, waits ``grace_s``, then
  SIGKILLs it; a process is only ever signalled by the pid this object started;
- everything the child writes (stdout and stderr) is appended to ``log_path``,
  which is kept across restarts.

The benchmarks' and the tests' stacks run their processes with this;
``infra.supervisor`` (asyncio, output relayed line by line) shares
:func:`~infra.launcher.proc.signal_group` with it.
"""

import signal
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from infra.launcher.proc import signal_group


class ChildFailed(RuntimeError):
    """A child exited, or did not answer in time, while the caller waited for it."""


def answers(url: str, timeout: float = 2.0) -> bool:
    """True when a GET of ``url`` answers 200 within ``timeout`` seconds."""
    try:
        return httpx.get(url, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class ChildProcess:
    """One process: started on demand, restartable, its log kept across restarts."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str]
    log_path: Path
    cwd: Path | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        """Start the process unless it runs already."""
        if self.alive:
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                list(self.argv),
                env=dict(self.env),
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int:
        if self.process is None:
            raise ChildFailed(f"{self.name} was never started")
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL the process group: no cleanup, no goodbye to Kafka or PostgreSQL."""
        if self.alive:
            signal_group(self.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)

    def stop(self, grace_s: float = 15.0) -> None:
        """SIGTERM to the process group, then SIGKILL after ``grace_s``."""
        if self.process is None or not self.alive:
            return
        signal_group(self.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def tail(self, lines: int = 30) -> str:
        """The last lines of the log, for error messages."""
        return "\n".join(self.log_text().splitlines()[-lines:])

    def wait_answering(self, url: str, within_s: float = 60.0) -> None:
        """Return once ``url`` answers 200; :class:`ChildFailed` with the log tail if not."""
        wait_answering(url, [self], within_s)


def wait_answering(url: str, watched: Iterable[ChildProcess], within_s: float = 60.0) -> None:
    """Return once a GET of ``url`` answers 200.

    Raises :class:`ChildFailed`, with the tail of every watched child's log, as
    soon as one of ``watched`` has exited or after ``within_s`` seconds.
    """
    children = list(watched)
    deadline = time.monotonic() + within_s
    while not answers(url):
        exited = [c.name for c in children if c.process is not None and not c.alive]
        if exited or time.monotonic() > deadline:
            logs = "\n".join(f"--- {c.name}\n{c.tail()}" for c in children)
            problem = f"exited: {', '.join(exited)}" if exited else f"no answer within {within_s:.0f}s"
            raise ChildFailed(f"waiting for {url}: {problem}\n{logs}")
        time.sleep(0.2)
