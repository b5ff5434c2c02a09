"""Where and how the local launcher runs Kafka and PostgreSQL.

Every port and the state directory are settings, so a test can run a second,
private pair of services next to the shared one without touching it.

The topology (``infra_replicas`` PostgreSQL hot standbys, ``infra_brokers``
Kafka nodes) defaults to one PostgreSQL and one broker; ``Launcher`` fills an
unset topology with the one last started in the state dir
(:mod:`infra.launcher.topology`), so every command finds the running nodes.
"""

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from infra.settings import REPO_ROOT

POSTGRES_USER = "boxoffice"
POSTGRES_DATABASE = "boxoffice"


class LauncherSettings(BaseSettings):
    """Local service layout; read from ``BOXOFFICE_*`` variables, overridable per call."""

    model_config = SettingsConfigDict(env_prefix="BOXOFFICE_", extra="ignore")

    state_dir: Path = Field(default=REPO_ROOT / "var", description="Data, logs and pid files.")
    launcher_host: str = Field(default="127.0.0.1", description="Address both services listen on.")
    kafka_port: int = Field(default=19092, ge=1, le=65535)
    kafka_controller_port: int = Field(default=19093, ge=1, le=65535)
    kafka_heap: str = Field(default="768m", description="JVM -Xmx of the broker.")
    infra_brokers: int | None = Field(
        default=None, ge=1, le=9, description="Kafka nodes; unset: as last started, else 1."
    )
    infra_replicas: int | None = Field(
        default=None, ge=0, le=4, description="PostgreSQL hot standbys; unset: as last started, else 0."
    )
    # Cluster mode (infra_brokers > 1): node i listens on kafka_port + i - 1 for clients and on
    # kafka_cluster_controller_port + i - 1 for the quorum; small heaps, as several JVMs share the machine.
    kafka_cluster_controller_port: int = Field(default=19192, ge=1, le=65535)
    kafka_cluster_heap: str = Field(default="256m", description="JVM -Xmx of each broker in cluster mode.")
    java_bin: str = Field(default="java", description="The java executable (a name on PATH or a path).")
    mvn_bin: str = Field(default="mvn")
    postgres_port: int = Field(default=54329, ge=1, le=65535)
    postgres_password: SecretStr = SecretStr("boxoffice")
    # Replica i listens on postgres_replica_port + i - 1 and streams from the primary as this role.
    postgres_replica_port: int = Field(default=54330, ge=1, le=65535)
    postgres_replication_password: SecretStr = SecretStr("boxoffice-replication")
    postgres_bin_dir: Path | None = Field(default=None, description="Where initdb and pg_ctl are.")
    # fsync stays on by default: a killed server must come back with its data.
    postgres_fsync: bool = True
    ready_timeout_s: float = Field(default=180.0, gt=0)
    # How long a port may stay taken (by a server still exiting after kill -9) before start gives up.
    port_wait_s: float = Field(default=15.0, ge=0)

    @property
    def kafka_dir(self) -> Path:
        return self.state_dir / "kafka"

    @property
    def postgres_dir(self) -> Path:
        return self.state_dir / "postgres"

    @property
    def brokers(self) -> int:
        return self.infra_brokers or 1

    @property
    def replicas(self) -> int:
        return self.infra_replicas or 0

    @property
    def kafka_ports(self) -> tuple[int, ...]:
        """Client port of each Kafka node, node 1 first."""
        return tuple(self.kafka_port + i for i in range(self.brokers))

    @property
    def kafka_controller_ports(self) -> tuple[int, ...]:
        """Controller (quorum) port of each Kafka node: the single node keeps ``kafka_controller_port``."""
        if self.brokers == 1:
            return (self.kafka_controller_port,)
        return tuple(self.kafka_cluster_controller_port + i for i in range(self.brokers))

    @property
    def kafka_bootstrap_servers(self) -> str:
        """Every node's client address, comma separated (one address for the single node)."""
        return ",".join(f"{self.launcher_host}:{port}" for port in self.kafka_ports)

    @property
    def replica_ports(self) -> tuple[int, ...]:
        return tuple(self.postgres_replica_port + i for i in range(self.replicas))

    @property
    def replica_database_urls(self) -> tuple[str, ...]:
        """The ``boxoffice`` database on each hot standby (read only), as the owner role."""
        return tuple(self._url(port) for port in self.replica_ports)

    @property
    def database_url(self) -> str:
        return self._url(self.postgres_port)

    def _url(self, port: int) -> str:
        """The ``boxoffice`` database on the server at ``port``, as the owner role."""
        password = self.postgres_password.get_secret_value()
        return (
            f"postgresql+psycopg://{POSTGRES_USER}:{password}@{self.launcher_host}:{port}/{POSTGRES_DATABASE}"
        )

    def admin_dsn(self, port: int | None = None) -> str:
        """libpq DSN of a server's maintenance database (the primary's unless ``port`` names another)."""
        password = self.postgres_password.get_secret_value()
        port = self.postgres_port if port is None else port
        return f"postgresql://{POSTGRES_USER}:{password}@{self.launcher_host}:{port}/postgres"
