"""The ``lost`` figure of the fault scenarios: accepted commands whose effects were not found.

Pure: a ledger of accepted commands and what a settled run holds, built by hand.
"""

from dataclasses import replace
from uuid import uuid4

import pytest

from contracts import ConsistencyToken
from tests.reliability.harness.load import Accepted
from tests.reliability.harness.losses import Found, Loss, describe, lost_effects

SHOW = uuid4()
HOLD, RELEASED, ORDER, CANCELLED = (str(uuid4()) for _ in range(4))
HOLD_2, HOLD_3 = str(uuid4()), str(uuid4())
PROJECTIONS = ("dashboard", "seat_availability")


def accepted(kind: str, entity: str, seq: int, **detail: object) -> Accepted:
    return Accepted(kind, str(SHOW), entity, ConsistencyToken(SHOW, seq).encode(), dict(detail))


# One show's run: seq 1 is ShowScheduled (the operator's, not in the ledger).
LEDGER = [
    accepted("hold", HOLD, 2, seat_ids=["A-1-1"]),
    accepted("order", ORDER, 3, hold_id=HOLD, total_cents=4500),
    accepted("payment", ORDER, 4, payment_ref="payref-1"),
    accepted("hold", RELEASED, 5, seat_ids=["A-1-2"]),
    accepted("release", RELEASED, 6),
    accepted("hold", HOLD_2, 7, seat_ids=["B-1-1"]),
    accepted("order", CANCELLED, 8, hold_id=HOLD_2, total_cents=2500),
    accepted("cancel", CANCELLED, 9, refunded_cents=0),
    accepted("hold", HOLD_3, 10, seat_ids=["B-1-2"]),
]
EVENTS = {
    2: ("SeatsHeld", HOLD),
    3: ("OrderPlaced", ORDER),
    4: ("OrderPaid", ORDER),
    5: ("SeatsHeld", RELEASED),
    6: ("HoldReleased", RELEASED),
    7: ("SeatsHeld", HOLD_2),
    8: ("OrderPlaced", CANCELLED),
    9: ("OrderCancelled", CANCELLED),
    10: ("SeatsHeld", HOLD_3),
}
# Everything the ledger's commands left, as a settled run without loss holds it.
COMPLETE = Found(
    holds={HOLD: "ordered", RELEASED: "released", HOLD_2: "ordered", HOLD_3: "expired"},
    orders={ORDER: ("paid", "payref-1"), CANCELLED: ("cancelled", None)},
    outbox={(SHOW, seq): event for seq, event in EVENTS.items()},
    topic=frozenset((SHOW, seq) for seq in [1, *EVENTS]),
    watermarks={name: {SHOW: 10} for name in PROJECTIONS},
)


def lost_of(found: Found) -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        (loss.accepted.kind, loss.accepted.entity_id, loss.missing) for loss in lost_effects(LEDGER, found)
    ]


def test_a_run_with_every_effect_found_lost_nothing() -> None:
    assert lost_effects(LEDGER, COMPLETE) == []


@pytest.mark.parametrize(
    ("found", "lost"),
    [
        pytest.param(
            replace(COMPLETE, holds={k: v for k, v in COMPLETE.holds.items() if k != HOLD_3}),
            [("hold", HOLD_3, ("write_model",))],
            id="hold row missing",
        ),
        pytest.param(
            replace(COMPLETE, holds={**COMPLETE.holds, RELEASED: "expired"}),
            [("release", RELEASED, ("write_model",))],
            id="released hold not released",
        ),
        pytest.param(
            replace(COMPLETE, orders={**COMPLETE.orders, ORDER: ("pending", None)}),
            [("payment", ORDER, ("write_model",))],
            id="payment not recorded",
        ),
        pytest.param(
            replace(COMPLETE, orders={ORDER: COMPLETE.orders[ORDER]}),
            [("order", CANCELLED, ("write_model",)), ("cancel", CANCELLED, ("write_model",))],
            id="order row missing",
        ),
        pytest.param(
            replace(COMPLETE, outbox={k: v for k, v in COMPLETE.outbox.items() if k != (SHOW, 4)}),
            [("payment", ORDER, ("outbox",))],
            id="event missing from the outbox",
        ),
        pytest.param(
            replace(COMPLETE, outbox={**COMPLETE.outbox, (SHOW, 6): ("SeatsHeld", RELEASED)}),
            [("release", RELEASED, ("outbox",))],
            id="token names another event",
        ),
        pytest.param(
            replace(COMPLETE, topic=COMPLETE.topic - {(SHOW, 8)}),
            [("order", CANCELLED, ("topic",))],
            id="event missing from the topic",
        ),
        pytest.param(
            replace(COMPLETE, watermarks={**COMPLETE.watermarks, "dashboard": {SHOW: 8}}),
            [("cancel", CANCELLED, ("dashboard",)), ("hold", HOLD_3, ("dashboard",))],
            id="read model behind",
        ),
        pytest.param(
            replace(
                COMPLETE,
                topic=COMPLETE.topic - {(SHOW, 10)},
                watermarks={name: {SHOW: 9} for name in PROJECTIONS},
            ),
            [("hold", HOLD_3, ("topic", "dashboard", "seat_availability"))],
            id="never relayed, so never projected",
        ),
    ],
)
def test_a_missing_accepted_effect_is_lost(
    found: Found, lost: list[tuple[str, str, tuple[str, ...]]]
) -> None:
    assert lost_of(found) == lost


def test_a_read_model_that_never_saw_the_show_lost_every_command() -> None:
    found = replace(COMPLETE, watermarks={"dashboard": {SHOW: 10}, "seat_availability": {uuid4(): 10}})
    losses = lost_effects(LEDGER, found)
    assert len(losses) == len(LEDGER)
    assert {loss.missing for loss in losses} == {("seat_availability",)}


def test_nothing_found_loses_every_effect_of_every_command() -> None:
    losses = lost_effects(LEDGER, Found(watermarks={name: {} for name in PROJECTIONS}))
    assert [loss.accepted for loss in losses] == LEDGER
    assert {loss.missing for loss in losses} == {
        ("write_model", "outbox", "topic", "dashboard", "seat_availability")
    }


def test_describe_counts_and_names_the_losses() -> None:
    losses = [Loss(a, ("topic",)) for a in LEDGER]
    text = describe(losses, shown=2)
    assert text.startswith(f"{len(LEDGER)} accepted commands lost: hold {HOLD} (")
    assert text.endswith(f"missing from topic (and {len(LEDGER) - 2} more)")
    assert HOLD_2 not in text
