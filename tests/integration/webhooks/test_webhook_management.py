"""The operator's webhook routes: 201 with the secret once, listings without it, 404/409/422, roles."""

from uuid import uuid4

import httpx
import pytest

from infra.http.destinations import DestinationSettings
from tests.integration.webhooks.hooks_support import OPERATOR, register

pytestmark = pytest.mark.integration


async def test_the_secret_is_shown_once_and_never_listed(api: httpx.AsyncClient) -> None:
    webhook_id, secret = await register(api, "http://127.0.0.1:9/a", ["OrderPaid", "OrderCancelled"])
    assert secret.startswith("whsec_")
    listed = await api.get("/v1/webhooks", headers=OPERATOR)
    assert listed.status_code == 200
    assert secret not in listed.text
    [webhook] = listed.json()["webhooks"]
    assert webhook["webhook_id"] == webhook_id
    assert webhook["event_types"] == ["OrderCancelled", "OrderPaid"]
    assert "secret" not in webhook
    deliveries = await api.get(f"/v1/webhooks/{webhook_id}/deliveries", headers=OPERATOR)
    assert deliveries.json() == {"webhook_id": webhook_id, "deliveries": []}


async def test_the_same_live_url_twice_is_a_conflict_until_deleted(api: httpx.AsyncClient) -> None:
    webhook_id, _ = await register(api, "http://127.0.0.1:9/b")
    again = await api.post(
        "/v1/webhooks", json={"url": "http://127.0.0.1:9/b", "event_types": ["*"]}, headers=OPERATOR
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "webhook_exists"
    deleted = await api.delete(f"/v1/webhooks/{webhook_id}", headers=OPERATOR)
    assert deleted.status_code == 200
    assert (await api.delete(f"/v1/webhooks/{webhook_id}", headers=OPERATOR)).status_code == 404
    assert (await api.get("/v1/webhooks", headers=OPERATOR)).json()["webhooks"] == []
    await register(api, "http://127.0.0.1:9/b")


async def test_an_idempotent_retry_gets_the_same_webhook_and_a_changed_body_is_refused(
    api: httpx.AsyncClient,
) -> None:
    headers = OPERATOR | {"Idempotency-Key": f"k-{uuid4()}"}
    body = {"url": "http://127.0.0.1:9/c", "event_types": ["OrderPaid"]}
    first = await api.post("/v1/webhooks", json=body, headers=headers)
    second = await api.post("/v1/webhooks", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    changed = await api.post("/v1/webhooks", json=body | {"event_types": ["OrderCancelled"]}, headers=headers)
    assert changed.status_code == 422
    assert changed.json()["error"]["code"] == "idempotency_key_reused"


async def test_unknown_webhooks_are_404(api: httpx.AsyncClient) -> None:
    for answer in (
        await api.delete(f"/v1/webhooks/{uuid4()}", headers=OPERATOR),
        await api.get(f"/v1/webhooks/{uuid4()}/deliveries", headers=OPERATOR),
    ):
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "webhook_not_found"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"url": "http://127.0.0.1:9/", "event_types": ["NoSuchEvent"]}, "unknown_event_type"),
        ({"url": "http://127.0.0.1:9/", "event_types": []}, "invalid_request"),
        ({"url": "ftp://example.com/", "event_types": ["*"]}, "url_invalid"),
        ({"url": "http://user:pw@example.com/", "event_types": ["*"]}, "url_invalid"),
        ({"url": "not a url", "event_types": ["*"]}, "url_invalid"),
        ({"event_types": ["*"]}, "invalid_request"),
    ],
)
async def test_bad_bodies_are_422(api: httpx.AsyncClient, body: dict[str, object], code: str) -> None:
    answer = await api.post("/v1/webhooks", json=body, headers=OPERATOR)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == code


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "https://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
    ],
)
async def test_private_destinations_are_refused_unless_allowed(api: httpx.AsyncClient, url: str) -> None:
    api_app = api._transport.app  # type: ignore[attr-defined]
    api_app.state.webhook_destinations = DestinationSettings(webhook_allow_private=False)
    answer = await api.post("/v1/webhooks", json={"url": url, "event_types": ["*"]}, headers=OPERATOR)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "url_refused"


async def test_only_operators_manage_webhooks(api: httpx.AsyncClient) -> None:
    assert (await api.get("/v1/webhooks")).status_code == 401
    checkout = {"Authorization": "Bearer test-checkout-key"}
    answer = await api.post(
        "/v1/webhooks", json={"url": "http://127.0.0.1:9/", "event_types": ["*"]}, headers=checkout
    )
    assert answer.status_code == 403


async def test_deliveries_filter_by_status_is_checked(api: httpx.AsyncClient) -> None:
    webhook_id, _ = await register(api, "http://127.0.0.1:9/d")
    answer = await api.get(f"/v1/webhooks/{webhook_id}/deliveries?status=lost", headers=OPERATOR)
    assert answer.status_code == 422
