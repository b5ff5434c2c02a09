"""What the e2e fixture hands to tests: where the command processes run."""

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandProcesses:
    base_url: str
    database_url: str
    kafka_bootstrap: str
    topic: str
