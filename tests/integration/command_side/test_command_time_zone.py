"""Events carry UTC whatever the database session's time zone: a refund nets out on its sale's day."""

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import psycopg
import pytest
from pydantic import SecretStr

from command_side.bootstrap import create_app
from command_side.settings import CommandSettings
from contracts import OrderCancelled, OrderPaid, decode_event
from infra.db import libpq_dsn
from infra.settings import ApiKeySettings
from projections.dashboard.fold import DashboardChanges, apply
from tests.integration.command_side.cmd_support import CHECKOUT, as_customer, new_show, outbox
from tests.integration.command_side.conftest import API_KEYS
from tests.support.database import private_database

pytestmark = pytest.mark.integration


def far_zone_for_today() -> str:
    """A zone whose local date differs from UTC's right now (Kiritimati is UTC+14, Pago Pago UTC-11)."""
    return "Pacific/Kiritimati" if datetime.now(UTC).hour >= 10 else "Pacific/Pago_Pago"


@pytest.fixture
def far_zone_db(database_url: str) -> Iterator[str]:
    """A migrated database whose sessions default to a time zone far from UTC."""
    with private_database(database_url, "boxoffice_tz", f"timezone = '{far_zone_for_today()}'") as url:
        yield url


async def test_a_cancelled_payment_nets_to_zero_on_the_day_it_was_sold(
    far_zone_db: str, kafka_bootstrap: str
) -> None:
    with psycopg.connect(libpq_dsn(far_zone_db)) as conn:  # the premise: new sessions are far from UTC
        assert conn.execute("SHOW timezone").fetchone() == (far_zone_for_today(),)
    settings = CommandSettings(database_url=far_zone_db, kafka_bootstrap_servers=kafka_bootstrap)
    app = create_app(settings, ApiKeySettings(api_keys=SecretStr(API_KEYS)))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://command") as client:
            show_id = await new_show(client)
            held = await client.post(
                f"/v1/shows/{show_id}/holds",
                json={"customer_id": "tz", "seat_ids": ["A-1-1", "A-1-2"]},
                headers=CHECKOUT,
            )
            assert held.status_code == 201, held.text
            placed = await client.post(
                "/v1/orders", json={"hold_id": held.json()["hold_id"], "customer_id": "tz"}, headers=CHECKOUT
            )
            assert placed.status_code == 201, placed.text
            order = placed.json()
            paid = await client.post(
                f"/v1/orders/{order['order_id']}/payment",
                json={"payment_ref": "p-1", "amount_cents": order["total_cents"]},
                headers=as_customer("tz"),
            )
            assert paid.status_code == 200, paid.text
            cancelled = await client.post(
                f"/v1/orders/{order['order_id']}/cancel", json={}, headers=as_customer("tz")
            )
            assert cancelled.status_code == 200, cancelled.text
    finally:
        await app.state.command.engine.dispose()

    events = [decode_event(row.body) for row in await outbox(far_zone_db, show_id)]
    payment = next(e.payload for e in events if isinstance(e.payload, OrderPaid))
    refund = next(e.payload for e in events if isinstance(e.payload, OrderCancelled))
    assert refund.paid_at == payment.paid_at
    assert payment.paid_at.utcoffset() == refund.paid_at.utcoffset() == UTC.utcoffset(None)
    for event in events:
        assert event.envelope.occurred_at.utcoffset() == UTC.utcoffset(None)

    changes = DashboardChanges()
    for event in events:
        changes = apply(changes, event)
    # one day row, the payment's UTC day, netted to zero: no refund on another day
    assert changes.by_day == {payment.paid_at.date(): [0, 0, 0]}
