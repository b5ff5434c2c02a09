"""The trusted decode (projections.runtime.trusted_decoding) folds as the full decode, or steps aside.

A record it takes folds, in both projections and over any batching, to the same
changes as the fully decoded event; a record it does not take (a contract
violation in a field the folds read, bytes that are not an event, an unknown or
newer type) goes through the full decode and is dead-lettered with the same
error as ``decode_event`` gives.
"""

import random
from typing import Any
from uuid import uuid4

import orjson
import pytest

from contracts import EventDecodeError, SeatsHeld, decode_event, encode_event, new_envelope
from contracts.event_types import default_registry
from projections.dashboard import Dashboard
from projections.runtime import trusted_decoding as trusted
from projections.runtime.decoding import Event, Record, decode
from projections.runtime.projection import Projection
from projections.runtime.triage import triage
from projections.seat_availability import SeatAvailability
from projections.testing import Simulation
from tests.unit.test_contracts_samples import NOW, SHOW_ID, sample_payloads

PROJECTIONS: list[Projection] = [SeatAvailability(), Dashboard()]


def _simulated(seed: int) -> list[bytes]:
    sim = Simulation(seed, shows=3, rows=2, seats=4).run(400)
    return [encode_event(e) for e in sim.events]


def _samples() -> list[bytes]:
    return [
        encode_event(new_envelope(p, stream_id=SHOW_ID, seq=i, correlation_id=uuid4(), occurred_at=NOW))
        for i, p in enumerate(sample_payloads(), start=1)
    ]


def _fold(projection: Projection, events: list[Event], rng: random.Random) -> list[Any]:
    """The changes of each batch of a random split (the same split for the same ``rng`` state)."""
    out, i = [], 0
    while i < len(events):
        n = rng.randint(1, 40)
        changes = projection.empty()
        for event in events[i : i + n]:
            projection.apply(changes, event)
        out.append(changes)
        i += n
    return out


@pytest.mark.parametrize("seed", [3, 11, 29])
def test_every_relayed_event_is_taken_and_folds_as_the_fully_decoded_one(seed: int) -> None:
    raws = _simulated(seed) + _samples()
    taken = [trusted.decode_trusted(raw) for raw in raws]
    assert all(e is not None for e in taken)
    lean_events: list[Event] = [e for e in taken if e is not None]
    full: list[Event] = [decode_event(raw) for raw in raws]
    kinds = {type(e.payload) for e in lean_events}
    assert kinds >= {trusted.SeatsHeld, trusted.OrderPaid, trusted.OrderCancelled, trusted.OrderExpired}
    for lean_event, event in zip(lean_events, full, strict=True):
        a, b = lean_event.envelope, event.envelope
        assert (a.type, a.stream_id, a.seq, a.occurred_at) == (b.type, b.stream_id, b.seq, b.occurred_at)
    for projection in PROJECTIONS:
        assert _fold(projection, lean_events, random.Random(seed)) == _fold(
            projection, full, random.Random(seed)
        )
        # and through triage, as a batch of records: the same changes and watermarks
        records = [decode(Record(0, i, None, raw, 0)) for i, raw in enumerate(raws)]
        assert all(isinstance(r.event, trusted.TrustedEvent) for r in records)
        ours = triage(projection, records, set(), {})
        reference = projection.empty()
        for event in full:
            projection.apply(reference, event)
        assert ours.changes == reference
        assert not ours.dead
        assert ours.watermarks == {
            e.envelope.stream_id: (e.envelope.seq, e.envelope.occurred_at) for e in full
        }


def _replaced(raw: bytes, path: tuple[Any, ...], value: Any) -> bytes:
    document = orjson.loads(raw)
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return orjson.dumps(document)


def _violations() -> list[bytes]:
    """Records breaking the contract in what the folds read, or not events at all."""
    held, paid = _samples()[1], next(r for r in _simulated(3) if b'"OrderPaid"' in r)
    return [
        b"not json",
        b'{"type": "SeatsHeld", "broken": true}',
        _replaced(held, ("type",), "SeatsTaken"),
        _replaced(held, ("seq",), 0),
        _replaced(held, ("stream_id",), "not-a-uuid"),
        _replaced(held, ("occurred_at",), "2026-03-01T10:00:00"),  # no offset
        _replaced(held, ("payload", "seat_ids"), []),
        _replaced(held, ("payload", "seat_ids"), "A-1-1"),
        _replaced(paid, ("payload", "lines"), []),
        _replaced(paid, ("payload", "amount_cents"), -1),
        _replaced(paid, ("payload", "paid_at"), None),
        _replaced(paid, ("payload", "lines", 0, "price_cents"), 1.5),
    ]


@pytest.mark.parametrize("raw", _violations())
def test_a_contract_violating_record_is_not_taken_and_dead_letters_as_before(raw: bytes) -> None:
    assert trusted.decode_trusted(raw) is None
    with pytest.raises(EventDecodeError) as refused:
        decode_event(raw)
    incoming = decode(Record(0, 7, None, raw, 0))
    assert incoming.event is None
    assert incoming.error == str(refused.value)
    for projection in PROJECTIONS:
        out = triage(projection, [incoming], set(), {})
        assert [letter.error for letter in out.dead] == [str(refused.value)]
        assert not out.applied


@pytest.mark.parametrize(
    ("path", "value"), [(("occurred_at",), "2026-03-01T12:00:00+02:00"), (("seq",), "2")]
)
def test_a_record_not_as_the_relay_writes_it_is_decoded_in_full(path: tuple[str, ...], value: Any) -> None:
    """Valid, read by pydantic's lax mode (an offset other than UTC, a number in a string)."""
    held = _replaced(_samples()[1], path, value)
    assert trusted.decode_trusted(held) is None
    assert decode(Record(0, 0, None, held, 0)).event == decode_event(held)


def test_a_violation_only_in_a_field_no_fold_reads_is_trusted() -> None:
    """What this path trusts (the module's docstring): the relay never writes such a record."""
    held = _replaced(_samples()[1], ("payload", "expires_at"), None)
    with pytest.raises(EventDecodeError):
        decode_event(held)
    assert isinstance(decode(Record(0, 0, None, held, 0)).event, trusted.TrustedEvent)


def test_a_type_with_a_newer_version_registered_is_left_to_the_full_decode() -> None:
    raw = _samples()[1]
    registry = default_registry()
    decoder = trusted.TrustedDecoder(registry)
    assert decoder.decode(raw) is not None

    class SeatsHeldV2(SeatsHeld):
        event_version = 2

    registry.register(SeatsHeldV2)
    registry.register_upcaster("SeatsHeld", 1, lambda p: p)
    assert decoder.decode(raw) is None  # v1 is no longer the newest: upcasting is the full decode's job
    assert trusted.decode_trusted(_replaced(raw, ("version",), 2)) is None
