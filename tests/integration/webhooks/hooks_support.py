"""Helpers of the webhook integration tests."""

from collections.abc import Awaitable, Callable
from uuid import UUID

import httpx

OPERATOR = {"Authorization": "Bearer test-operator-key"}
Publish = Callable[[UUID, int], Awaitable[bytes]]


async def register(api: httpx.AsyncClient, url: str, event_types: list[str] | None = None) -> tuple[str, str]:
    """A webhook for ``url``; its id and secret."""
    answer = await api.post(
        "/v1/webhooks", json={"url": url, "event_types": event_types or ["*"]}, headers=OPERATOR
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["webhook_id"], answer.json()["secret"]
