"""One fault scenario end to end: load with a fault injected, settle, then every check.

``settle_and_verify`` is the common ending of every scenario: it lets what is
due expire, drains the outbox, stops the workers so the write model stands
still, waits for the projectors to consume the whole topic, and then runs the
write-side and read-side checks, returning the figures of the run.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from tests.reliability.harness import checks_read as rd
from tests.reliability.harness import checks_write as wr
from tests.reliability.harness import losses as ls
from tests.reliability.harness.load import Ledger, Load
from tests.reliability.harness.stack import Stack

Fault = Callable[[], Awaitable[dict[str, Any]]]


async def run_with_fault(
    stack: Stack, load: Load, fault: Fault, *, duration_s: float, max_journeys: int, customers: int = 4
) -> tuple[Ledger, dict[str, Any]]:
    """Run the load and, concurrently, the fault; returns the ledger and what the fault reported.

    The stack's watchdog restarts processes that crash on their own (as the
    ``boxoffice up`` supervisor would) from now until the stack is stopped.
    """
    stack.start_watchdog()
    running = asyncio.create_task(
        load.run(duration_s=duration_s, max_journeys=max_journeys, customers=customers)
    )
    try:
        injected = await fault()
    except BaseException:
        running.cancel()
        raise
    return await running, injected


async def quiesce(stack: Stack, shows: list[str]) -> None:
    """Let this run's short holds and orders expire, drain the outbox, then stop every worker."""
    db = stack.services.database_url
    if not any(w.alive for w in stack.workers):
        stack.workers[0].start()
    await wr.wait_for(lambda: wr.nothing_due(db, shows), "this run's holds and orders to expire", 90)
    for _ in range(3):
        await wr.wait_for(lambda: wr.outbox_backlog(db) == 0, "the outbox to drain", 90)
        for worker in stack.workers:
            await asyncio.to_thread(worker.stop)
        if wr.outbox_backlog(db) == 0:
            return
        stack.workers[0].start()  # something committed between the drain and the stop
    raise AssertionError("the outbox kept filling after the load stopped")


async def settle_and_verify(stack: Stack, load: Load, injected: set[wr.Offset]) -> dict[str, Any]:
    """Every guarantee of the run, checked; ``injected`` are the poison records in the topic so far."""
    db, kafka = stack.services.database_url, stack.services.kafka_bootstrap_servers
    ledger = load.ledger
    assert not [a for a in stack.apis if a.crashes], f"a command API died: {stack.crashes()}"
    bad = [e for e in ledger.server_errors if e[1] != 503 or e[3] is None]
    assert not bad, f"5xx other than 503 with Retry-After: {bad[:5]}"
    assert ledger.accepted, "the load got no command accepted"
    shows = [s.show_id for s in load.shows]
    await quiesce(stack, shows)
    end = await rd.topic_end(kafka)
    for deployment in stack.deployments.values():
        await rd.wait_caught_up(db, deployment, end)
    records = await wr.read_topic(kafka)
    # Counted before the checks below, which stop at the first missing effect: a loss is reported whole.
    lost = ls.lost_effects(ledger.accepted, ls.observe(db, ledger.accepted, records, stack.deployments))
    assert not lost, ls.describe(lost)
    facts = wr.check_topic_matches_outbox(db, records)
    assert facts.events > 0
    assert end >= facts.events
    assert set(facts.foreign) == injected, f"records in the topic that are not outbox events: {facts.foreign}"
    wr.check_accepted_in_write_model(db, ledger)
    sold = wr.check_no_oversell(db)
    seats = rd.check_seats_equal_write_model(db, stack.deployments["seat_availability"], shows)
    totals = rd.check_dashboard_equals_write_model(db, stack.deployments["dashboard"])
    compared = 0
    for name, deployment in stack.deployments.items():
        assert rd.dead_letters(db, deployment) == injected, f"{name} dead-lettered events that are not poison"
        replayed = await rd.replay(db, kafka, name, end)
        compared += rd.check_equal_views(db, deployment, replayed)
        assert rd.dead_letters(db, replayed) == injected
    looked = wr.check_logs_clean(stack.logs(), [*stack.keys.values(), *ledger.payment_refs])
    return {
        "load": ledger.figures(),
        "topic": {
            "records": facts.records,
            "events": facts.events,
            "resent_duplicates": facts.duplicates,
            "poison": len(facts.foreign),
        },
        "write_model": {
            "sold_seats": sold,
            "orders_paid": totals["orders_paid"],
            "orders_expired": totals["orders_expired"],
        },
        "read_model": {"seats_compared_with_write_model": seats, "view_rows_compared_with_replay": compared},
        "secrets_grepped_in_logs": looked,
        "process_crashes_restarted": stack.crashes(),
        "lost": len(lost),
    }
