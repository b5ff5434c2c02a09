"""Sorting a batch: duplicates dropped, a bad event quarantines only its own show."""

from collections.abc import Sequence
from itertools import zip_longest
from uuid import uuid4

from contracts import encode_event
from projections.runtime.decoding import Incoming, Record, decode
from projections.runtime.triage import triage
from projections.seat_availability import SeatAvailability
from projections.testing import Simulation


def _records(raw: Sequence[tuple[bytes | None, bytes]]) -> list[Incoming]:
    return [decode(Record(0, offset, key, value, 0)) for offset, (key, value) in enumerate(raw)]


def test_duplicates_and_events_at_or_below_the_watermark_are_dropped() -> None:
    sim = Simulation(1, shows=1).run(5)
    raw = [(str(e.stream_id).encode(), encode_event(e)) for e in sim.events]
    batch = _records(raw + raw)
    first = batch[0].event
    assert first is not None
    out = triage(SeatAvailability(), batch, set(), {})
    assert len(out.applied) == len(sim.events)
    assert out.duplicates == len(sim.events)
    again = triage(SeatAvailability(), batch, set(), {first.envelope.stream_id: len(sim.events)})
    assert not again.applied
    assert again.duplicates == 2 * len(sim.events)


def test_a_poison_event_quarantines_its_show_and_parks_what_follows_while_others_flow() -> None:
    a, b = Simulation(2, shows=1).run(6), Simulation(3, shows=1).run(6)
    show_a = a.events[0].stream_id
    key_a = str(show_a).encode()
    raw_a = [(key_a, encode_event(e)) for e in a.events]
    raw_b = [(str(b.events[0].stream_id).encode(), encode_event(e)) for e in b.events]
    poison = (key_a, b'{"not": "an event"}')
    rest = [x for pair in zip_longest(raw_a[1:], raw_b[1:]) for x in pair if x is not None]
    interleaved = [raw_a[0], raw_b[0], poison, *rest]
    out = triage(SeatAvailability(), _records(interleaved), set(), {})
    assert [d.incoming.show_id for d in out.dead] == [show_a]
    assert "bad envelope" in out.dead[0].error
    assert set(out.newly_quarantined) == {show_a}
    assert len(out.parked) == len(a.events) - 1
    assert all(i.show_id == show_a for i in out.parked)
    assert len(out.applied) == 1 + len(b.events)


def test_an_undecodable_message_without_a_show_is_dead_and_quarantines_nothing() -> None:
    out = triage(SeatAvailability(), _records([(None, b"\xff garbage"), (b"not-a-uuid", b"[]")]), set(), {})
    assert len(out.dead) == 2
    assert not out.newly_quarantined
    assert not out.parked


def test_events_of_an_already_quarantined_show_are_parked() -> None:
    sim = Simulation(4, shows=1).run(3)
    raw = [(str(e.stream_id).encode(), encode_event(e)) for e in sim.events]
    out = triage(SeatAvailability(), _records(raw), {sim.events[0].stream_id, uuid4()}, {})
    assert len(out.parked) == len(sim.events)
    assert not out.applied
