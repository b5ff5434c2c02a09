"""Child processes of a fault test: restartable, counted, with a header in the log per start.

A :class:`Child` is a :class:`~tests.support.processes.ChildProcess` (it leads
its own process group, so a SIGKILL reaches it and nothing else) that counts
its starts, kills and crashes, and that a watchdog restarts after a crash
unless a test holds it down on purpose.
"""

from dataclasses import dataclass

from infra.settings import REPO_ROOT
from tests.support.processes import ChildProcess


@dataclass
class Child(ChildProcess):
    """One process of the deployment; restartable, its log kept across restarts."""

    health_url: str | None = None
    starts: int = 0
    kills: int = 0
    crashes: int = 0
    # set while a test holds the child down on purpose, so the watchdog leaves it down
    held_down: bool = False

    def __post_init__(self) -> None:
        if self.cwd is None:
            self.cwd = REPO_ROOT

    def start(self) -> None:
        self.held_down = False
        if self.alive:
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"---- start {self.starts + 1} of {self.name} ----\n".encode())
        super().start()
        self.starts += 1

    def kill(self) -> None:
        """SIGKILL the child (and its group): no cleanup, no goodbye to Kafka or PostgreSQL."""
        self.held_down = True
        if self.alive:
            self.kills += 1
        super().kill()

    def stop(self, grace_s: float = 15.0) -> None:
        """SIGTERM, then SIGKILL after ``grace_s``."""
        self.held_down = True
        super().stop(grace_s)

    def restart_if_crashed(self) -> bool:
        """Start the child again if it exited without being told to (what ``boxoffice up`` does)."""
        if self.process is None or self.held_down or self.alive:
            return False
        self.crashes += 1
        self.start()
        return True

    def wait_healthy(self, within_s: float = 60.0) -> None:
        """Return once ``health_url`` answers 200; ChildFailed with the log tail if it dies or stalls."""
        if self.health_url is not None:
            self.wait_answering(self.health_url, within_s)
