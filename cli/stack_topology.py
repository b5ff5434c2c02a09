"""Which processes ``boxoffice up`` supervises, and where each one listens.

A single-node stack runs one of each process. A cluster stack (a PostgreSQL
replica or more than one Kafka broker) runs every stateless process twice, so
that losing any one of them leaves a survivor carrying the load:

- two command APIs (ports ``command_port`` and ``command_port + 2``): they
  share nothing but the database;
- two command workers: one relays (the advisory lock), the other stands by and
  takes over within about ``BOXOFFICE_RELAY_LEADER_RETRY_SECONDS`` (1 s) of the
  leader's death;
- two projector processes: each runs every projection in that projection's
  consumer group, so the two instances of a projection share its partitions;
- two query APIs: the first reads the primary, the second the replica (through
  ``BOXOFFICE_QUERY_DATABASE_URL``) when one runs, else the primary too;
- one webhook dispatcher (deliveries are not claimed across processes).

The second instance of a process listens 2 ports above the first (HTTP and
Prometheus alike), so 8001/8002 and 9101/9102 stay where single-node users
expect them and nothing collides.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from infra.supervisor import ChildSpec

# Where the first instance of each process listens: ``boxoffice up``'s defaults, the processes'
# own (``command-api``, ``command-worker``), and where ``demo`` and ``status`` look unless told.
HOST = "127.0.0.1"
COMMAND_PORT = 8001
QUERY_PORT = 8002
PROJECTOR_METRICS_PORT = 9101
WORKER_METRICS_PORT = 9102
PORT_STEP = 2  # the second instance of a process listens this far above the first


def http_url(port: int, host: str = HOST) -> str:
    """The base URL of a process of the stack listening on ``host:port``."""
    return f"http://{host}:{port}"


# The first instance's base URLs on a single-node stack started with the defaults.
COMMAND_URL = http_url(COMMAND_PORT)
QUERY_URL = http_url(QUERY_PORT)
WORKER_METRICS_URL = http_url(WORKER_METRICS_PORT)
PROJECTOR_METRICS_URL = http_url(PROJECTOR_METRICS_PORT)


@dataclass(frozen=True, slots=True)
class Topology:
    """The processes of one stack: how many of each, and the URLs and ports they need."""

    host: str = HOST
    command_port: int = COMMAND_PORT
    query_port: int = QUERY_PORT
    instances: int = 1
    # Reader DSNs of the query APIs by instance (None: the query API derives the primary's).
    query_database_urls: tuple[str | None, ...] = ()
    # Whether ``command-worker`` takes ``--metrics-port`` (older workers serve no metrics).
    worker_metrics: bool = True
    env: Mapping[str, str] = field(default_factory=dict)

    def port(self, first: int, instance: int) -> int:
        return first + PORT_STEP * instance

    @property
    def command_urls(self) -> list[str]:
        return [http_url(self.port(self.command_port, i), self.host) for i in range(self.instances)]

    @property
    def query_urls(self) -> list[str]:
        return [http_url(self.port(self.query_port, i), self.host) for i in range(self.instances)]

    @property
    def urls(self) -> list[str]:
        """Every API's URL: the first command and query APIs first (what ``demo`` and ``status`` use)."""
        pairs = zip(self.command_urls, self.query_urls, strict=True)
        return [url for pair in pairs for url in pair]

    @property
    def ports(self) -> list[int]:
        """The HTTP ports the stack listens on (checked free before starting)."""
        return [int(url.rsplit(":", 1)[1]) for url in self.urls]

    def name(self, process: str, instance: int) -> str:
        return process if self.instances == 1 else f"{process}-{instance + 1}"


def child_specs(topology: Topology, exe: list[str]) -> list[ChildSpec]:
    """The supervised children of ``topology``; ``exe`` is how to run ``boxoffice``."""
    t, env = topology, dict(topology.env)
    specs: list[ChildSpec] = []
    for i in range(t.instances):
        api_port, query_port = t.port(t.command_port, i), t.port(t.query_port, i)
        worker = [*exe, "command-worker"]
        if t.worker_metrics:
            worker += ["--metrics-port", str(t.port(WORKER_METRICS_PORT, i))]
        query_env = dict(env)
        reader = t.query_database_urls[i] if i < len(t.query_database_urls) else None
        if reader is not None:
            query_env["BOXOFFICE_QUERY_DATABASE_URL"] = reader
        specs += [
            ChildSpec(
                t.name("command-api", i),
                [*exe, "command-api", "--host", t.host, "--port", str(api_port)],
                env,
            ),
            ChildSpec(t.name("command-worker", i), worker, env),
            ChildSpec(
                t.name("projector", i),
                [*exe, "projector", "--metrics-port", str(t.port(PROJECTOR_METRICS_PORT, i))],
                env,
            ),
            ChildSpec(
                t.name("query-api", i),
                [*exe, "query-api", "--host", t.host, "--port", str(query_port)],
                query_env,
            ),
        ]
    specs.append(ChildSpec("webhooks", [*exe, "webhooks"], env))
    return specs
