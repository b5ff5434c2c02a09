"""What the expirer reads as due: lapsed live holds and overdue pending orders, oldest first."""

from datetime import datetime, timedelta
from uuid import UUID

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from command_side.adapters.expiry_due import due_for_expiry
from tests.integration.command_side import cmd_support

pytestmark = pytest.mark.integration


async def test_due_holds_and_orders_come_apart_oldest_first_and_not_before_their_time(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    show_id = await cmd_support.new_show(client)
    early = await cmd_support.hold(client, show_id, "c1", ["A-1-1"], ttl_seconds=60)
    late = await cmd_support.hold(client, show_id, "c2", ["A-1-2"], ttl_seconds=120)
    ordered = await cmd_support.hold(client, show_id, "c3", ["A-1-3"], ttl_seconds=60)
    order = await cmd_support.place_order(client, ordered["hold_id"], "c3")
    early_at = datetime.fromisoformat(early["expires_at"])
    pay_by = datetime.fromisoformat(order["pay_by"])
    assert pay_by > early_at
    early_id, late_id, order_id = UUID(early["hold_id"]), UUID(late["hold_id"]), UUID(order["order_id"])

    async with engine.connect() as conn:
        # other tests share the private database: only the relative places of these rows are asserted
        holds, orders = await due_for_expiry(conn, early_at, 10_000)
        assert early_id in holds
        assert late_id not in holds
        assert UUID(ordered["hold_id"]) not in holds, "a hold that became an order is no longer live"
        assert order_id not in orders

        later = max(datetime.fromisoformat(late["expires_at"]), pay_by) + timedelta(seconds=1)
        holds, orders = await due_for_expiry(conn, later, 10_000)
        assert holds.index(early_id) < holds.index(late_id)
        assert order_id in orders
        assert not set(holds) & set(orders)

        holds, orders = await due_for_expiry(conn, later, 1)
        assert len(holds) == 1
        assert len(orders) == 1
