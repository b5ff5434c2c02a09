"""Typed settings, one class per concern, read from ``BOXOFFICE_*`` variables.

Each process builds the settings it needs once, in its composition root, and
tests pass their own instances.
"""

import hmac
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
Role = Literal["operator", "checkout", "viewer"]
ROLES: tuple[Role, ...] = ("operator", "checkout", "viewer")

# Keys a newcomer gets on a development machine; refused in production.
DEVELOPMENT_API_KEYS = "operator:dev-operator-key,checkout:dev-checkout-key,viewer:dev-viewer-key"


class ServiceSettings(BaseSettings):
    """Where the real services are. Unset means: the local launcher starts them."""

    model_config = SettingsConfigDict(env_prefix="BOXOFFICE_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    database_url: str | None = None
    kafka_bootstrap_servers: str | None = None
    query_database_url: str | None = Field(
        default=None,
        description="DSN of the read-only role the query API uses; derived when unset.",
    )
    reader_password: SecretStr = SecretStr("boxoffice-reader")
    state_dir: Path = REPO_ROOT / "var"

    @property
    def externally_configured(self) -> bool:
        return bool(self.database_url and self.kafka_bootstrap_servers)

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_production(self) -> "ServiceSettings":
        if self.environment == "production" and self.reader_password.get_secret_value() == (
            "boxoffice-reader"
        ):
            raise ValueError("set BOXOFFICE_READER_PASSWORD in production")
        return self


class ApiKeySettings(BaseSettings):
    """API keys as ``role:key`` pairs separated by commas (``BOXOFFICE_API_KEYS``)."""

    model_config = SettingsConfigDict(env_prefix="BOXOFFICE_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    api_keys: SecretStr = SecretStr(DEVELOPMENT_API_KEYS)

    @model_validator(mode="after")
    def _check(self) -> "ApiKeySettings":
        pairs = self.key_roles  # parses, raising on a malformed list
        if self.environment == "production" and self.api_keys.get_secret_value() == (DEVELOPMENT_API_KEYS):
            raise ValueError("set BOXOFFICE_API_KEYS in production; the development keys are public")
        if not pairs:
            raise ValueError("BOXOFFICE_API_KEYS holds no key")
        return self

    @cached_property
    def key_roles(self) -> tuple[tuple[str, Role], ...]:
        pairs: list[tuple[str, Role]] = []
        for item in self.api_keys.get_secret_value().split(","):
            if not item.strip():
                continue
            role, sep, key = item.strip().partition(":")
            if not sep or role not in ROLES or len(key) < 8:
                raise ValueError(
                    "BOXOFFICE_API_KEYS must be role:key pairs (roles operator, checkout, "
                    "viewer; keys of 8 characters or more) separated by commas"
                )
            pairs.append((key, role))
        return tuple(pairs)

    def role_for(self, presented: str) -> Role | None:
        """The role of a presented key, comparing against every key in constant time."""
        found: Role | None = None
        for key, role in self.key_roles:
            if hmac.compare_digest(key.encode(), presented.encode()):
                found = role
        return found
