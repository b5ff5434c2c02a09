"""What the launcher reports about a service."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Receives one line of progress ("starting Kafka on ..."); the CLI prints it with rich.
Reporter = Callable[[str], None]


def quiet(_: str) -> None:
    """A reporter that drops progress lines (library and test use)."""


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    """One service as found on disk and in the process table at a moment."""

    name: str
    running: bool
    pid: int | None
    address: str
    data_dir: Path
    log_file: Path
    # "postgres primary", "postgres replica", "kafka broker+controller" (every node is both in KRaft).
    role: str = ""
    # Hot standbys only (with the launcher's ``status(with_lag=True)``): how far replay trails what the
    # replica has received, in seconds and bytes; 0 when caught up, None when unknown.
    replay_lag_s: float | None = None
    replay_lag_bytes: int | None = None
