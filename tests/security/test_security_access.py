"""Access: every protected endpoint refuses missing, wrong and wrong-role keys (401/403, error
shape); keys are compared in constant time; no key or payment reference reaches a log.
"""

import hmac
from typing import Any
from uuid import uuid4

import httpx
import pytest

from infra.settings import ApiKeySettings
from tests.security.conftest import Apis

pytestmark = pytest.mark.integration

# (api, method, path) -> roles admitted; every protected route must be listed (checked below).
COMMAND_ROUTES = {
    ("POST", "/v1/venues"): {"operator"},
    ("POST", "/v1/shows"): {"operator"},
    ("POST", "/v1/shows/{show_id}/holds"): {"checkout", "operator"},
    ("DELETE", "/v1/holds/{hold_id}"): {"checkout", "operator"},
    ("POST", "/v1/orders"): {"checkout", "operator"},
    ("POST", "/v1/orders/{order_id}/payment"): {"checkout", "operator"},
    ("POST", "/v1/orders/{order_id}/cancel"): {"checkout", "operator"},
    ("POST", "/v1/holds/{hold_id}/extend"): {"checkout", "operator"},
    ("POST", "/v1/webhooks"): {"operator"},
    ("GET", "/v1/webhooks"): {"operator"},
    ("DELETE", "/v1/webhooks/{webhook_id}"): {"operator"},
    ("GET", "/v1/webhooks/{webhook_id}/deliveries"): {"operator"},
}
QUERY_ROUTES = {("GET", "/v1/dashboard"): {"viewer", "operator"}, ("GET", "/v1/projections"): {"operator"}}
QUERY_PUBLIC = ["/v1/shows", f"/v1/shows/{uuid4()}/availability", f"/v1/shows/{uuid4()}/seats", "/healthz"]


def concrete(path: str) -> str:
    return (
        path.replace("{show_id}", str(uuid4()))
        .replace("{hold_id}", str(uuid4()))
        .replace("{order_id}", str(uuid4()))
        .replace("{webhook_id}", str(uuid4()))
    )


def wrong_keys(apis: Apis) -> list[dict[str, str]]:
    key = apis.keys["operator"]
    return [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer ,"},
        {"Authorization": f"Basic {key}"},
        {"Authorization": key},
        {"Authorization": f"Bearer {key}x"},
        {"Authorization": f"Bearer {key[:-1]}"},
        {"Authorization": f"Bearer {key.upper()}"},
        {"Authorization": "Bearer dev-operator-key"},  # the public development key is not configured here
        {"X-Api-Key": key},
    ]


def assert_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
    )
    assert set(response.json()) == {"error"}
    assert response.json()["error"]["code"]
    if status == 401:
        assert response.headers.get("www-authenticate", "").lower().startswith("bearer")


def test_every_protected_route_is_covered(apis: Apis, client: httpx.Client) -> None:
    spec = client.get(f"{apis.command_url}/openapi.json").json()["paths"]
    secured = {(m.upper(), p) for p, ops in spec.items() for m, op in ops.items() if op.get("security")}
    assert secured == set(COMMAND_ROUTES)
    public = set(client.get(f"{apis.query_url}/openapi.json").json()["paths"])
    assert {p for _, p in QUERY_ROUTES} <= public


@pytest.mark.parametrize(("method", "path"), [*COMMAND_ROUTES, *QUERY_ROUTES])
def test_missing_or_wrong_keys_get_401(apis: Apis, client: httpx.Client, method: str, path: str) -> None:
    base = apis.command_url if (method, path) in COMMAND_ROUTES else apis.query_url
    for headers in wrong_keys(apis):
        assert_error(client.request(method, base + concrete(path), headers=headers, json={}), 401)


@pytest.mark.parametrize(("method", "path"), [*COMMAND_ROUTES, *QUERY_ROUTES])
def test_wrong_roles_get_403(apis: Apis, client: httpx.Client, method: str, path: str) -> None:
    routes = {**COMMAND_ROUTES, **QUERY_ROUTES}
    base = apis.command_url if (method, path) in COMMAND_ROUTES else apis.query_url
    for role in {"operator", "checkout", "viewer"} - routes[(method, path)]:
        assert_error(client.request(method, base + concrete(path), headers=apis.auth(role), json={}), 403)
    for role in routes[(method, path)]:  # the right role gets past authorization (any answer but 401/403)
        answer = client.request(method, base + concrete(path), headers=apis.auth(role), json={})
        assert answer.status_code not in (401, 403), answer.text


@pytest.mark.parametrize("path", QUERY_PUBLIC)
def test_public_reads_need_no_key(apis: Apis, client: httpx.Client, path: str) -> None:
    assert client.get(apis.query_url + path).status_code in (200, 404)


def test_keys_are_compared_in_constant_time_against_every_key(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = ApiKeySettings(
        api_keys="operator:first-operator-key,checkout:second-checkout-key,viewer:third-viewer-key"
    )
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr("infra.settings.hmac.compare_digest", spy)
    assert keys.role_for("first-operator-key") == "operator"
    assert len(calls) == 3, "every configured key is compared, even after a match (no early exit)"
    calls.clear()
    assert keys.role_for("first-operator-kez") is None
    assert len(calls) == 3


async def test_both_apis_authenticate_through_the_constant_time_path(
    apis: Apis, monkeypatch: pytest.MonkeyPatch
) -> None:
    from command_side.bootstrap import create_app as command_app  # noqa: PLC0415
    from command_side.settings import CommandSettings  # noqa: PLC0415
    from infra.settings import ServiceSettings  # noqa: PLC0415
    from query_api.app import create_app as query_app  # noqa: PLC0415

    presented: list[str] = []
    real = ApiKeySettings.role_for

    def spy(self: ApiKeySettings, key: str) -> Any:
        presented.append(key)
        return real(self, key)

    monkeypatch.setattr(ApiKeySettings, "role_for", spy)
    keys = ApiKeySettings(api_keys=",".join(f"{r}:{k}" for r, k in apis.keys.items()))
    command = command_app(CommandSettings(database_url=apis.database_url), keys)
    query = query_app(
        None, ServiceSettings(database_url=apis.database_url, kafka_bootstrap_servers="127.0.0.1:9"), keys
    )
    async with query.router.lifespan_context(query):
        for app, method, path in [(command, "POST", "/v1/venues"), (query, "GET", "/v1/dashboard")]:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
                presented.clear()
                assert (
                    await c.request(method, path, headers={"Authorization": "Bearer not-a-key-at-all"})
                ).status_code == 401
                assert presented == ["not-a-key-at-all"], (
                    f"{path} must authenticate with ApiKeySettings.role_for"
                )
    await command.state.command.engine.dispose()


def test_no_key_or_payment_reference_reaches_the_logs(apis: Apis, client: httpx.Client) -> None:
    ck = apis.auth("checkout")
    _, show_id = apis.new_show(client, "logs", seats=4, price_cents=700)
    hold = apis.hold(client, show_id, "logger", "A-1-1", "A-1-2")
    order = apis.order(client, hold["hold_id"], "logger")
    refs = [f"payref-{uuid4().hex}" for _ in range(3)]
    pay = f"{apis.command_url}/v1/orders/{order['order_id']}/payment"
    customer = {**ck, "X-Customer-Id": "logger"}
    assert (
        client.post(pay, headers=customer, json={"payment_ref": refs[0], "amount_cents": 1}).status_code
        == 422
    )
    assert (
        client.post(
            pay, headers=customer, json={"payment_ref": refs[1], "amount_cents": order["total_cents"]}
        ).status_code
        == 200
    )
    assert (
        client.post(
            pay, headers=customer, json={"payment_ref": refs[2], "amount_cents": order["total_cents"]}
        ).status_code
        == 409
    )
    stranger = f"stolen-{uuid4().hex}"
    for url in (
        f"{apis.command_url}/v1/venues",
        f"{apis.query_url}/v1/dashboard",
        f"{apis.query_url}/v1/projections",
    ):
        client.request(
            "POST" if "venues" in url else "GET",
            url,
            headers={"Authorization": f"Bearer {stranger}"},
            json={},
        )
        client.get(url.replace("/v1/venues", "/readyz"), headers=apis.auth("viewer"))
    logs = apis.logs()
    assert "Uvicorn running on" in logs, "the processes' output must be captured"
    for secret in [*apis.keys.values(), stranger, *refs]:
        assert secret not in logs, f"{secret[:12]}... appears in a process log"
