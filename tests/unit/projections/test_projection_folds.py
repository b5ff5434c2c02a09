"""The folds as pure functions: any split of the stream into batches gives the write side's truth."""

import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import (
    HoldExtended,
    OrderLine,
    OrderPaid,
    SeatsHeld,
    decode_event,
    encode_event,
    lean,
    new_envelope,
)
from contracts.envelope import Envelope
from projections.dashboard import fold as dashboard
from projections.runtime import trusted_decoding as trusted
from projections.runtime.decoding import Event
from projections.runtime.projection import ApplyError
from projections.seat_availability import fold as seats
from projections.testing import Simulation, Truth


def _decoded(events: list[Envelope]) -> list[Event]:
    return [decode_event(encode_event(e)) for e in events]


def _batches(events: list[Event], rng: random.Random) -> list[list[Event]]:
    out, i = [], 0
    while i < len(events):
        n = rng.randint(1, 40)
        out.append(events[i : i + n])
        i += n
    return out


def _absorb_seats(events: list[Event], rng: random.Random) -> tuple[dict[Any, str], dict[Any, list[int]]]:
    status: dict[tuple[UUID, str], str] = {}
    zones: dict[tuple[UUID, str], list[int]] = {}
    for batch in _batches(events, rng):
        c = seats.SeatChanges()
        for e in batch:
            seats.apply(c, e)
        for show, seat, _, _, _, _ in c.seats:
            status[(show, seat)] = "available"
        for show, zone, _, _, capacity, _ in c.zones:
            zones[(show, zone)] = [capacity, 0, 0]
        status.update(c.seat_status)
        for key, delta in c.zone_deltas.items():
            zones[key] = [a + b for a, b in zip(zones[key], delta, strict=True)]
    return status, zones


def _absorb_dashboard(events: list[Event], rng: random.Random) -> dict[str, Any]:
    totals: Counter[str] = Counter()
    figures: dict[str, dict[Any, list[int]]] = {"by_day": {}, "by_show": {}, "by_zone": {}, "by_referrer": {}}
    for batch in _batches(events, rng):
        c = dashboard.DashboardChanges()
        for e in batch:
            dashboard.apply(c, e)
        totals.update(c.totals)
        for show, *_ in c.shows:
            figures["by_show"][show] = [0, 0, 0]
        for name, target in figures.items():
            for key, delta in getattr(c, name).items():
                old = target.get(key, [0] * len(delta))
                target[key] = [a + b for a, b in zip(old, delta, strict=True)]
    return {"totals": totals, **figures}


def _nonzero(d: dict[Any, Any]) -> dict[Any, tuple[int, ...]]:
    return {k: tuple(v) for k, v in d.items() if any(v)}


def check(truth: Truth, events: list[Event], rng: random.Random) -> None:
    status, zones = _absorb_seats(events, rng)
    assert status == truth.seats
    for (show, zone), (available, held, sold) in zones.items():
        states = [s for (i, seat), s in truth.seats.items() if i == show and seat.startswith(f"{zone}-")]
        assert [available, held, sold] == [states.count(x) for x in ("available", "held", "sold")]
    got = _absorb_dashboard(events, rng)
    assert {k: got["totals"][k] for k in truth.totals} == truth.totals
    assert _nonzero(got["by_day"]) == _nonzero(truth.by_day)
    assert {k: tuple(v) for k, v in got["by_show"].items()} == truth.by_show
    assert _nonzero(got["by_zone"]) == _nonzero(truth.by_zone)
    assert _nonzero(got["by_referrer"]) == _nonzero(truth.by_referrer)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32), steps=st.integers(0, 300), shows=st.integers(1, 4))
def test_any_batching_of_the_stream_folds_to_the_truth(seed: int, steps: int, shows: int) -> None:
    sim = Simulation(seed, shows=shows, rows=2, seats=4).run(steps)
    check(sim.truth(), _decoded(sim.events), random.Random(seed))


@pytest.mark.parametrize("decoder", ["lean", "trusted"])
@pytest.mark.parametrize("seed", [3, 11])
def test_the_lean_events_fold_to_the_truth_as_the_models_do(seed: int, decoder: str) -> None:
    """The replay's events are the trusted structures (else the lean ones): each class of them folds
    as its model does."""
    sim = Simulation(seed, shows=3, rows=2, seats=4).run(400)
    decode = lean.decode_lean if decoder == "lean" else trusted.decode_trusted
    leans = [decode(encode_event(e)) for e in sim.events]
    events: list[Event] = [e for e in leans if e is not None]
    assert len(events) == len(sim.events)
    module: Any = lean if decoder == "lean" else trusted
    assert {type(e.payload) for e in events} >= {module.SeatsHeld, module.OrderPaid, module.OrderCancelled}
    check(sim.truth(), events, random.Random(seed))


def test_a_refused_event_changes_nothing() -> None:
    show = uuid4()
    bad_line = OrderLine(seat_id="A-1-1", zone_id="B", price_cents=100)
    payload = OrderPaid(
        order_id=uuid4(),
        customer_id="c",
        referrer_id=None,
        lines=(bad_line,),
        amount_cents=100,
        paid_at=new_envelope_time(),
    )
    event = decode_event(encode_event(new_envelope(payload, stream_id=show, seq=2, correlation_id=uuid4())))
    changes = seats.SeatChanges()
    with pytest.raises(ApplyError):
        seats.apply(changes, event)
    assert changes == seats.SeatChanges()


@pytest.mark.parametrize("decoder", ["pydantic", "lean", "trusted"])
def test_a_hold_extension_keeps_its_seats_held_in_both_folds(decoder: str) -> None:
    show, hold_id, held_seats = uuid4(), uuid4(), ("A-1-1", "A-1-2")
    later = new_envelope_time().replace(hour=1)
    payloads = [
        SeatsHeld(hold_id=hold_id, customer_id="c", seat_ids=held_seats, expires_at=new_envelope_time()),
        HoldExtended(hold_id=hold_id, customer_id="c", seat_ids=held_seats, expires_at=later),
    ]
    raw = [
        encode_event(new_envelope(p, stream_id=show, seq=i + 2, correlation_id=uuid4()))
        for i, p in enumerate(payloads)
    ]
    decoders: dict[str, Callable[[bytes], Event | None]] = {
        "pydantic": decode_event,
        "lean": lean.decode_lean,
        "trusted": trusted.decode_trusted,
    }
    decode = decoders[decoder]
    events: list[Event | None] = [decode(r) for r in raw]
    assert all(e is not None for e in events)
    held, extended = (e for e in events if e is not None)
    assert isinstance(extended.payload, HoldExtended | lean.HoldExtended | trusted.HoldExtended)

    only_held = seats.apply(seats.SeatChanges(), held)
    both = seats.apply(seats.apply(seats.SeatChanges(), held), extended)
    assert both == only_held
    assert both.seat_status == {(show, "A-1-1"): "held", (show, "A-1-2"): "held"}

    board_held = dashboard.apply(dashboard.DashboardChanges(), held)
    board_both = dashboard.apply(dashboard.apply(dashboard.DashboardChanges(), held), extended)
    assert board_both == board_held
    assert board_both.totals["held_seats"] == 2


def new_envelope_time() -> datetime:
    return datetime(2026, 1, 1, tzinfo=UTC)
