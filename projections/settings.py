"""Settings of the projector process (``BOXOFFICE_*`` variables)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MAX_RECORDS = 20_000  # events per batch: the one default of every runner, replay and CLI


class ProjectorSettings(BaseSettings):
    """Where the event log and the read model are, and the tunables of the projector."""

    model_config = SettingsConfigDict(env_prefix="BOXOFFICE_", extra="ignore")

    database_url: str = Field(description="PostgreSQL URL of the read model (any driver spelling).")
    kafka_bootstrap_servers: str = Field(description="Kafka brokers holding the event log.")
    projector_max_records: int = Field(
        default=DEFAULT_MAX_RECORDS, ge=1, description="Most events a projector applies in one batch."
    )
    projector_metrics_port: int | None = Field(
        default=None, ge=1, le=65535, description="Port of the Prometheus /metrics endpoint; none when unset."
    )
