"""What ``boxoffice status`` found, and whether that is healthy.

Healthy means every service answers (PostgreSQL, Kafka, both APIs' ``/readyz``,
the worker's and the projector's metrics ports) and one session holds the relay
leader lock. Lag, backlog and dead letters are shown but do not make it
unhealthy: they have alerts of their own (``infra/monitoring/rules.yml``).
"""

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

ServiceState = Literal["up", "not ready", "down"]


@dataclass(frozen=True, slots=True)
class ServiceProbe:
    """One service: ``up``; ``not ready`` (it answered, but not 200); or ``down`` (no answer)."""

    name: str
    address: str
    state: ServiceState
    detail: str = ""


@dataclass(frozen=True, slots=True)
class LeaderSession:
    """The PostgreSQL session holding the relay's advisory lock."""

    pid: int
    application_name: str
    client_addr: str | None
    since: datetime | None


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    rows: int
    oldest_age_seconds: float


@dataclass(frozen=True, slots=True)
class VersionLag:
    """A building or live projection version; lag is None when Kafka could not be read."""

    projection: str
    version: int
    state: str
    lag_events: int | None
    lag_seconds: float | None
    open_dead_letters: int
    dead_letters: int
    quarantined_shows: int


@dataclass(frozen=True, slots=True)
class Replay:
    """The newest version made by a replay (version 2 and later) of a projection, if any."""

    projection: str
    version: int | None
    state: str | None
    started_at: datetime | None
    swapped_at: datetime | None


@dataclass(slots=True)
class StatusReport:
    """Every fact ``boxoffice status`` shows; None where its source could not be read."""

    services: list[ServiceProbe] = field(default_factory=list)
    relay_leaders: list[LeaderSession] | None = None
    outbox: OutboxBacklog | None = None
    projections: list[VersionLag] | None = None
    replays: list[Replay] | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """Why the deployment is unhealthy (empty when healthy)."""
        found = [f"{s.name} is {s.state}" for s in self.services if s.state != "up"]
        if self.relay_leaders is not None and not self.relay_leaders:
            found.append("no relay leader holds the lock")
        return found

    @property
    def healthy(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the facts, ``healthy`` and ``problems``; datetimes as ISO 8601 strings."""
        facts: dict[str, Any] = _iso(asdict(self))
        return {"healthy": self.healthy, "problems": self.problems, **facts}


def _iso(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
