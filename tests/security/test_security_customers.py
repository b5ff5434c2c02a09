"""A customer cannot see, use, pay or cancel another customer's hold or order.

Customer identity is ``customer_id`` in bodies and ``X-Customer-Id`` for
releasing a hold, paying and cancelling. Refusals are 403 and reveal nothing of
the owner's hold or order; a replayed Idempotency-Key of the owner does not
hand its stored answer to someone else.
"""

from typing import Any

import httpx
import pytest

from tests.security.conftest import Apis
from tests.support.database import query

pytestmark = pytest.mark.integration


@pytest.fixture
def alice(apis: Apis, client: httpx.Client) -> dict[str, Any]:
    """Alice's hold (two seats), and her pending order made from another hold."""
    _, show_id = apis.new_show(client, "owners", seats=6, price_cents=1234)
    hold = apis.hold(client, show_id, "alice", "A-1-1", "A-1-2")
    other = apis.hold(client, show_id, "alice", "A-1-3")
    order = apis.order(client, other["hold_id"], "alice")
    return {"hold": hold, "order": order, "show_id": show_id}


def forbidden(response: httpx.Response, *secrets: str) -> None:
    assert response.status_code == 403, f"{response.status_code}: {response.text}"
    assert set(response.json()) == {"error"}
    for secret in secrets:
        assert secret not in response.text, f"the refusal reveals {secret!r}"


def as_customer(apis: Apis, customer: str, key: str | None = None) -> dict[str, str]:
    headers = {**apis.auth("checkout"), "X-Customer-Id": customer}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


def test_another_customer_cannot_use_or_release_a_hold(
    apis: Apis, client: httpx.Client, alice: dict[str, Any]
) -> None:
    hold, url = alice["hold"], apis.command_url
    forbidden(
        apis.post_order(client, hold["hold_id"], "mallory"),
        "alice",
        "A-1-1",
    )
    forbidden(
        client.delete(f"{url}/v1/holds/{hold['hold_id']}", headers=as_customer(apis, "mallory")),
        "alice",
        "A-1-1",
    )
    missing = client.delete(f"{url}/v1/holds/{hold['hold_id']}", headers=apis.auth("checkout"))
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "customer_id_required"
    status = query(
        apis.database_url, "SELECT status FROM write_model.holds WHERE hold_id = %s", (hold["hold_id"],)
    )
    assert status == [("live",)], "the hold is untouched"


def test_another_customer_cannot_pay_or_cancel_an_order(
    apis: Apis, client: httpx.Client, alice: dict[str, Any]
) -> None:
    order, url = alice["order"], apis.command_url
    oid, total = order["order_id"], order["total_cents"]
    forbidden(
        client.post(
            f"{url}/v1/orders/{oid}/payment",
            headers=as_customer(apis, "mallory"),
            json={"payment_ref": "mallory-card", "amount_cents": total},
        ),
        "alice",
        str(total),
    )
    forbidden(
        client.post(f"{url}/v1/orders/{oid}/cancel", headers=as_customer(apis, "mallory"), json={}), "alice"
    )
    missing = client.post(f"{url}/v1/orders/{oid}/cancel", headers=apis.auth("checkout"), json={})
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "customer_id_required"
    rows = query(
        apis.database_url, "SELECT status, payment_ref FROM write_model.orders WHERE order_id = %s", (oid,)
    )
    assert rows == [("pending", None)], "the order is untouched"


def test_an_owners_idempotency_key_does_not_replay_its_answer_to_someone_else(
    apis: Apis, client: httpx.Client, alice: dict[str, Any]
) -> None:
    order, url = alice["order"], apis.command_url
    body = {"payment_ref": "alice-card-1", "amount_cents": order["total_cents"]}
    paid = client.post(
        f"{url}/v1/orders/{order['order_id']}/payment", headers=as_customer(apis, "alice", "k-1"), json=body
    )
    assert paid.status_code == 200, paid.text
    stolen = client.post(
        f"{url}/v1/orders/{order['order_id']}/payment", headers=as_customer(apis, "mallory", "k-1"), json=body
    )
    forbidden(stolen, "alice-card-1", paid.json()["consistency_token"])
    cancel = client.post(
        f"{url}/v1/orders/{order['order_id']}/cancel", headers=as_customer(apis, "mallory", "k-2"), json={}
    )
    forbidden(cancel, "alice")
    rows = query(
        apis.database_url, "SELECT status FROM write_model.orders WHERE order_id = %s", (order["order_id"],)
    )
    assert rows == [("paid",)]


def test_the_owner_and_the_operator_can_act(apis: Apis, client: httpx.Client, alice: dict[str, Any]) -> None:
    url = apis.command_url
    released = client.delete(f"{url}/v1/holds/{alice['hold']['hold_id']}", headers=as_customer(apis, "alice"))
    assert released.status_code == 200, released.text
    cancelled = client.post(
        f"{url}/v1/orders/{alice['order']['order_id']}/cancel", headers=apis.auth("operator"), json={}
    )
    assert cancelled.status_code == 200, cancelled.text
