"""Where and how the local launcher runs Kafka and PostgreSQL.

Every port and the state directory are settings, so a test can run a second,
private pair of services next to the shared one without touching it.
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
    java_bin: str = Field(default="java", description="The java executable (a name on PATH or a path).")
    mvn_bin: str = Field(default="mvn")
    postgres_port: int = Field(default=54329, ge=1, le=65535)
    postgres_password: SecretStr = SecretStr("boxoffice")
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
    def kafka_bootstrap_servers(self) -> str:
        return f"{self.launcher_host}:{self.kafka_port}"

    @property
    def database_url(self) -> str:
        password = self.postgres_password.get_secret_value()
        return (
            f"postgresql+psycopg://{POSTGRES_USER}:{password}@{self.launcher_host}:{self.postgres_port}"
            f"/{POSTGRES_DATABASE}"
        )

    def admin_dsn(self) -> str:
        """libpq DSN of the cluster's maintenance database, for creating ``boxoffice``."""
        password = self.postgres_password.get_secret_value()
        return f"postgresql://{POSTGRES_USER}:{password}@{self.launcher_host}:{self.postgres_port}/postgres"
