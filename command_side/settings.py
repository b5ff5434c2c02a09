"""Settings of the command API and worker (``BOXOFFICE_*`` variables)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from contracts import EVENTS_TOPIC


class CommandSettings(BaseSettings):
    """Where the write model and Kafka are, and the tunables of commands and the relay."""

    model_config = SettingsConfigDict(env_prefix="BOXOFFICE_", extra="ignore")

    database_url: str = Field(description="PostgreSQL URL of the write model (any driver spelling).")
    kafka_bootstrap_servers: str = "127.0.0.1:19092"
    events_topic: str = Field(default=EVENTS_TOPIC, description="Tests relay to a private topic.")

    hold_ttl_default_seconds: int = Field(default=600, ge=1)
    hold_ttl_min_seconds: int = Field(default=30, ge=1)
    hold_ttl_max_seconds: int = Field(default=3600, ge=1)
    hold_max_lifetime_seconds: int = Field(
        default=1800,
        ge=1,
        description="Extensions never move a hold's expiry past this long after it was made.",
    )
    max_seats_per_customer: int = Field(
        default=10,
        ge=0,
        description="Seats of one show a customer may hold or own at once (live holds, pending and paid "
        "orders); 0: no limit.",
    )
    order_pay_by_seconds: int = Field(default=900, ge=1, description="How long a pending order may be paid.")

    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout_seconds: float = Field(default=5.0, gt=0, description="Past this wait: 503.")
    db_connect_timeout_seconds: int = Field(default=3, ge=1)

    relay_batch_size: int = Field(default=1000, ge=1)
    relay_notify: bool = Field(
        default=True,
        description="The command API NOTIFYs the relay after each commit that appended events (after "
        "COMMIT, on a connection of its own, coalesced): events reach Kafka milliseconds after commit.",
    )
    relay_listen: bool = Field(
        default=True, description="The relay leader LISTENs for those notifications; off: it only polls."
    )
    relay_notify_channel: str = Field(
        default="boxoffice_outbox", pattern=r"^[a-z_][a-z0-9_]{0,62}$", description="The NOTIFY channel."
    )
    relay_fallback_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        description="The idle relay reads the outbox this often even when not notified: the longest "
        "a commit whose notification was lost waits for publication.",
    )
    relay_mark_linger_seconds: float = Field(
        default=0.05,
        gt=0,
        description="The relay marks a batch published in the statement that reads the next one; when no "
        "wake-up comes this long after a batch, it reads (and marks) anyway.",
    )
    relay_leader_retry_seconds: float = Field(default=1.0, gt=0)
    relay_lock_key: int = Field(default=0x626F_7872, description="Advisory lock id of the relay leader.")
    relay_mark_delay_seconds: float = Field(
        default=0.0, ge=0, description="Fault injection for crash tests: pause between acks and marking."
    )
    expiry_interval_seconds: float = Field(
        default=0.5, gt=0, description="The expirer sleeps this long between passes (holds expire this late)."
    )
    expiry_batch_size: int = Field(default=200, ge=1)
    worker_metrics_port: int = Field(
        default=0, ge=0, le=65535, description="Port of the worker's Prometheus /metrics; 0: none."
    )
