"""Expiry when the command worker was down past the deadlines of holds and orders.

With the worker (relay and expiry) stopped, short holds lapse and unpaid
orders pass their pay-by time. Meanwhile the command side must already treat
them as over (a lapsed hold cannot be ordered, its seats can be held again,
an overdue order cannot be paid). Once the worker is back, every lapsed hold
and overdue order is expired, none early, nothing live is touched, and the
read models show it.
"""

import asyncio
from typing import Any
from uuid import UUID

import pytest

from tests.reliability.harness import checks_write as wr
from tests.reliability.harness.load import Load
from tests.reliability.harness.scenario import settle_and_verify
from tests.support.database import query

pytestmark = [pytest.mark.integration, pytest.mark.fault]
PAY_BY_SECONDS = 3


async def hold(
    load: Load, show: str, customer: str, seats: list[str], ttl: int | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"customer_id": customer, "seat_ids": seats}
    if ttl is not None:
        body["ttl_seconds"] = ttl
    answer = await load.send("hold", "POST", f"/v1/shows/{show}/holds", json=body)
    assert answer is not None
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    load._accept("hold", answer, show, made["hold_id"], seat_ids=made["seat_ids"], customer_id=customer)
    return made


async def order(load: Load, show: str, customer: str, hold_id: str) -> dict[str, Any]:
    answer = await load.send(
        "order", "POST", "/v1/orders", json={"hold_id": hold_id, "customer_id": customer}
    )
    assert answer is not None
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    load._accept(
        "order",
        answer,
        show,
        made["order_id"],
        hold_id=hold_id,
        total_cents=made["total_cents"],
        seat_ids=made["seat_ids"],
    )
    return made


async def test_holds_and_orders_expire_correctly_after_the_worker_was_down_past_their_deadlines(
    make_stack: Any, load_for: Any, injected_poison: Any, record_figures: Any
) -> None:
    stack = make_stack(order_pay_by_seconds=PAY_BY_SECONDS)
    await asyncio.to_thread(stack.start)
    stack.start_watchdog()
    load = load_for(stack)
    show = (await load.setup(shows=1))[0].show_id
    db = stack.services.database_url
    await asyncio.to_thread(stack.workers[0].stop)

    short = [await hold(load, show, f"short-{i}", [f"A-1-{i + 1}"], ttl=2) for i in range(4)]
    long = [await hold(load, show, f"long-{i}", [f"A-2-{i + 1}"]) for i in range(3)]
    unpaid = [
        await order(
            load, show, f"unpaid-{i}", (await hold(load, show, f"unpaid-{i}", [f"B-1-{i + 1}"]))["hold_id"]
        )
        for i in range(3)
    ]
    await asyncio.sleep(PAY_BY_SECONDS + 2)  # every short hold and unpaid order is past its deadline now

    # the worker is still down: the deadlines are enforced by the commands themselves
    late = await load.send(
        "order", "POST", "/v1/orders", json={"hold_id": short[0]["hold_id"], "customer_id": "short-0"}
    )
    assert late is not None
    assert (late.status_code, late.json()["error"]["code"]) == (409, "hold_expired")
    overdue = await load.send(
        "payment",
        "POST",
        f"/v1/orders/{unpaid[0]['order_id']}/payment",
        customer="unpaid-0",
        json={"payment_ref": "late-ref", "amount_cents": unpaid[0]["total_cents"]},
    )
    assert overdue is not None
    assert (overdue.status_code, overdue.json()["error"]["code"]) == (
        409,
        "order_not_payable",
    )
    retaken = await hold(load, show, "newcomer", [short[1]["seat_ids"][0]])  # the seat of a lapsed hold
    states = dict(
        query(
            db,
            "SELECT status, count(*) FROM write_model.holds WHERE hold_id = ANY(%s) GROUP BY 1",
            ([UUID(h["hold_id"]) for h in short],),
        )
    )
    assert states.get("live", 0) >= 2, "nothing expires while the worker is down (except by a new hold)"

    stack.workers[0].start()
    await wr.wait_for(lambda: wr.nothing_due(db, [show]), "the worker to expire what is due", 60)

    holds = {
        str(r[0]): r[1:]
        for r in query(
            db,
            "SELECT hold_id, status, expires_at, ended_at FROM write_model.holds WHERE show_id = %s",
            (UUID(show),),
        )
    }
    for h in short:
        status, expires_at, ended_at = holds[h["hold_id"]]
        assert status == "expired", (h, status)
        assert ended_at >= expires_at, (h, ended_at, expires_at)
    assert all(holds[h["hold_id"]][0] == "live" for h in [*long, retaken])
    orders = query(
        db,
        "SELECT status, pay_by, ended_at FROM write_model.orders WHERE order_id = ANY(%s)",
        ([UUID(o["order_id"]) for o in unpaid],),
    )
    assert all(status == "expired" and ended_at >= pay_by for status, pay_by, ended_at in orders), orders
    events = dict(
        query(
            db,
            "SELECT event_type || coalesce(':' || (convert_from(body, 'UTF8')::jsonb"
            " -> 'payload' ->> 'reason'), ''), count(*) FROM write_model.outbox"
            " WHERE show_id = %s GROUP BY 1",
            (UUID(show),),
        )
    )
    assert events.get("HoldReleased:expired") == len(short)
    assert events.get("OrderExpired") == len(unpaid)

    figures = await settle_and_verify(stack, load, injected_poison)
    record_figures(
        {
            "scenario": "worker down past deadlines",
            "fault": {
                "holds_lapsed_while_down": len(short),
                "orders_overdue_while_down": len(unpaid),
                "expired_after_restart": len(short) + len(unpaid),
                "expired_early": 0,
            },
            **figures,
        }
    )
