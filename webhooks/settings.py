"""Settings of the webhook dispatcher (``BOXOFFICE_*`` variables)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from contracts import EVENTS_TOPIC
from infra.http.destinations import DestinationSettings

ONE_DAY = 86_400.0


class WebhookSettings(DestinationSettings):
    """Where the events and the deliveries are, and how hard deliveries are tried; whether a
    delivery may go to a private address is :class:`DestinationSettings`' rule, as for the command
    API that registers the webhooks."""

    model_config = SettingsConfigDict(env_prefix="BOXOFFICE_", extra="ignore")

    database_url: str = Field(description="PostgreSQL URL of the write model (any driver spelling).")
    kafka_bootstrap_servers: str = "127.0.0.1:19092"
    events_topic: str = Field(default=EVENTS_TOPIC, description="Tests read a private topic.")
    webhook_group_id: str = Field(
        default="boxoffice-webhooks", description="The dispatcher's consumer group."
    )

    webhook_timeout_seconds: float = Field(default=5.0, gt=0, description="Per POST, connect to last byte.")
    webhook_max_response_bytes: int = Field(default=4096, ge=0, description="Response bytes read at most.")
    webhook_retry_base_seconds: float = Field(default=5.0, gt=0, description="Delay after a first failure.")
    webhook_retry_max_seconds: float = Field(default=3600.0, gt=0, description="Longest delay between tries.")
    webhook_retry_for_seconds: float = Field(
        default=ONE_DAY, gt=0, description="A delivery still failing this long after it was recorded fails."
    )
    webhook_concurrency: int = Field(default=64, ge=1, description="POSTs in flight at once, all endpoints.")
    webhook_poll_seconds: float = Field(
        default=1.0, gt=0, description="Due deliveries are looked for this often."
    )
    webhook_lease_seconds: float = Field(
        default=60.0, gt=0, description="A claimed delivery whose worker died is retried after this."
    )
    db_connect_timeout_seconds: int = Field(default=3, ge=1)
