"""Settings of the query API process (``BOXOFFICE_QUERY_*``)."""

import re

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from contracts.read_model import READ_SCHEMA

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class QueryApiSettings(BaseSettings):
    """Where the query API listens, which views schema it reads, and how long it waits for projections.

    The database it reads is ``BOXOFFICE_QUERY_DATABASE_URL`` (``ServiceSettings.query_database_url``,
    shared with the stack launcher), derived from ``BOXOFFICE_DATABASE_URL`` when unset; when it is a
    hot standby, notices are listened for on ``BOXOFFICE_DATABASE_URL`` (the primary).
    """

    model_config = SettingsConfigDict(env_prefix="BOXOFFICE_QUERY_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8002, ge=0, le=65535)
    read_schema: str = Field(default=READ_SCHEMA, description="Schema holding the read views.")
    pool_size: int = Field(default=10, ge=1, le=200)
    default_wait_ms: int = Field(default=1000, ge=0, le=5000)
    max_wait_ms: int = Field(default=5000, ge=0, le=60000)
    # Guards against a missed notification; waiters normally wake on NOTIFY long before this.
    recheck_interval_ms: int = Field(default=200, ge=10, le=5000)
    cache_bytes: int = Field(default=64 * 1024 * 1024, ge=0)
    # On a hot standby: how often its replay position is read while notices wait for it.
    replica_poll_ms: int = Field(default=10, ge=1, le=1000)
    # /readyz fails once a projection with lag has not checkpointed for this long.
    ready_max_stall_seconds: float = Field(default=60.0, gt=0)

    @field_validator("read_schema")
    @classmethod
    def _plain_identifier(cls, value: str) -> str:
        # Schema names end up in SQL as identifiers; only plain lower-case names are accepted.
        if not _IDENTIFIER.match(value):
            raise ValueError("schema names are lower-case letters, digits and underscores")
        return value
