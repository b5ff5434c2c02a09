"""The dispatcher's settings: private destinations follow the same rule as the command API's."""

import pytest

from infra.http.destinations import DestinationSettings
from webhooks.settings import WebhookSettings


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BOXOFFICE_ENVIRONMENT", "BOXOFFICE_WEBHOOK_ALLOW_PRIVATE"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("environment", "allow", "expected"),
    [
        ("development", None, True),
        ("production", None, False),
        ("production", True, True),
        ("development", False, False),
    ],
)
def test_private_destinations_unset_follow_the_environment(
    environment: str, allow: bool | None, expected: bool
) -> None:
    settings = WebhookSettings.model_validate(
        {"database_url": "postgresql://x@h/db", "environment": environment, "webhook_allow_private": allow}
    )
    assert settings.allow_private is expected
    api = DestinationSettings.model_validate({"environment": environment, "webhook_allow_private": allow})
    assert api.allow_private is expected


def test_the_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOXOFFICE_ENVIRONMENT", "production")
    assert not WebhookSettings(database_url="postgresql://x@h/db").allow_private
    monkeypatch.setenv("BOXOFFICE_WEBHOOK_ALLOW_PRIVATE", "1")
    assert WebhookSettings(database_url="postgresql://x@h/db").allow_private
