"""The lean decoder (contracts.lean) agrees with the pydantic one, or steps aside.

For every input: either ``decode_lean`` returns None (the projector then uses
``decode_event``, which decodes or dead-letters exactly as before), or both
accept it and give the same values. The full decode (``decode_value``, which a
record the trusted decode of ``projections.runtime.trusted_decoding`` does not
take goes through) therefore gives the same events and the same errors as
``decode_event`` alone.
"""

import copy
import json
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec
import orjson
import pytest

from contracts import EventDecodeError, SeatsHeld, decode_event, encode_event, lean, new_envelope
from contracts.event_types import DecodedEvent, default_registry
from contracts.lean import LEAN_MODELS, LeanDecoder, LeanEvent, decode_lean
from projections.runtime.decoding import Event, decode_value
from projections.testing import Simulation
from tests.unit.test_contracts_samples import NOW, SHOW_ID, sample_payloads

# Values put in place of every field, nested ones included: wrong types, bounds, lax coercions
# that pydantic accepts and msgspec does not (and the reverse), timestamps and ids in other forms.
HOSTILE: list[Any] = [
    None,
    0,
    -1,
    1,
    1001,
    2**63,
    2**64 + 1,
    1.0,
    4500.0,
    0.5,
    True,
    False,
    "",
    "x",
    "1",
    "4500",
    "A",
    "A\n",
    "A-1-1\n",
    "A-1-1",
    "B-1-1",
    "a" * 17,
    "\U0001f3ad" * 200,
    "\U0001f3ad" * 201,
    "x" * 100,
    "x" * 101,
    "released",
    "expired",
    "paid",
    "pending",
    [],
    ["A-1-1"],
    [{"seat_id": "A-1-1", "zone_id": "A", "price_cents": 1}],
    [{"row": "1", "seats": 1}],
    {},
    {"x": 1},
    "2026-03-01T19:30:00Z",
    "2026-03-01T19:30:00.123456Z",
    "2026-03-01T19:30:00.1234567Z",
    "2026-03-01T19:30:00.9999999Z",
    "2026-03-01T19:30:00+02:00",
    "2026-03-01T19:30:00+00:00",
    "2026-03-01T19:30:00-00:00",
    "2026-03-01T23:30:00-05:00",
    "2026-03-01T19:30:00",
    "2026-03-01t19:30:00z",
    "2026-03-01 19:30:00Z",
    "2026-03-01T19:30Z",
    "2026-03-01",
    "1700000000",
    1700000000,
    "8d3c2f4e-1b6a-4c0e-9f57-2a8e1c3d4b5f",
    "8D3C2F4E-1B6A-4C0E-9F57-2A8E1C3D4B5F",
    "8d3c2f4e1b6a4c0e9f572a8e1c3d4b5f",
    "{8d3c2f4e-1b6a-4c0e-9f57-2a8e1c3d4b5f}",
    "urn:uuid:8d3c2f4e-1b6a-4c0e-9f57-2a8e1c3d4b5f",
    "8d3c2f4e-1b6a-4c0e-9f57-2a8e1c3d4b5",
    "ShowScheduled",
    "SeatsHeld",
    "OrderPaid",
    "NoSuchEvent",
]
REMOVE = object()


def _raw_samples() -> list[bytes]:
    out = []
    for seq, payload in enumerate(sample_payloads(), start=1):
        envelope = new_envelope(payload, stream_id=SHOW_ID, seq=seq, correlation_id=uuid4(), occurred_at=NOW)
        out.append(encode_event(envelope))
    caused = new_envelope(
        sample_payloads()[1], stream_id=SHOW_ID, seq=9, correlation_id=uuid4(), causation_id=uuid4()
    )
    out.append(encode_event(caused))  # a causation id and a timestamp with microseconds
    return out


def _plain(value: Any) -> Any:
    """Builtins with tuples as lists, keeping UUIDs and datetimes, for comparing the two decodes."""
    if isinstance(value, msgspec.Struct):
        value = msgspec.to_builtins(value, builtin_types=(UUID, datetime))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return (value, value.tzinfo)  # same instant *and* same zone: a fold takes .date()
    return value


def assert_same(lean: LeanEvent, ref: DecodedEvent) -> None:
    assert type(lean.payload).__name__ == type(ref.payload).__name__
    lean_envelope = _plain({k: v for k, v in msgspec.structs.asdict(lean.envelope).items() if k != "payload"})
    ref_envelope = _plain(ref.envelope.model_dump(exclude={"payload"}))
    assert lean_envelope == ref_envelope
    assert orjson.loads(bytes(lean.envelope.payload)) == ref.envelope.payload
    assert _plain(lean.payload) == _plain(ref.payload.model_dump())
    # The attributes the folds and the runtime read, with their types.
    for name in ("event_id", "type", "version", "stream_id", "seq", "occurred_at", "causation_id"):
        a, b = getattr(lean.envelope, name), getattr(ref.envelope, name)
        assert (type(a), a) == (type(b), b)


def check(raw: bytes) -> str:
    """Check one input; returns which way it went."""
    lean = decode_lean(raw)
    try:
        ref: DecodedEvent | None = decode_event(raw)
        error = None
    except EventDecodeError as exc:
        ref, error = None, str(exc)
    # The full decode, which a record the trusted decode does not take goes through.
    full: Event | None = None
    full_error = None
    try:
        full = decode_value(raw)
    except EventDecodeError as exc:
        full_error = str(exc)
    assert full_error == error
    if lean is not None:
        assert ref is not None, f"lean accepted what pydantic refuses ({error}): {raw!r}"
        assert_same(lean, ref)
        assert full == lean
        return "lean"
    if ref is not None:
        assert isinstance(full, DecodedEvent)
        return "slow"
    return "dead"


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            out.append((*prefix, key))
            out.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.append((*prefix, i))
            out.extend(_paths(item, (*prefix, i)))
    return out


def _replaced(document: Any, path: tuple[Any, ...], new: Any) -> bytes:
    doc = copy.deepcopy(document)
    target = doc
    for step in path[:-1]:
        target = target[step]
    if new is REMOVE:
        del target[path[-1]]
    else:
        target[path[-1]] = new
    return json.dumps(doc, ensure_ascii=False).encode()  # json: orjson refuses ints past 64 bits


def test_every_sample_event_takes_the_lean_path_and_decodes_identically() -> None:
    for raw in _raw_samples():
        assert check(raw) == "lean"


def test_simulated_events_take_the_lean_path() -> None:
    sim = Simulation(3, shows=3).run(300)
    for envelope in sim.events:
        assert check(encode_event(envelope)) == "lean"


def test_every_field_replaced_by_hostile_values_decodes_identically_or_falls_back() -> None:
    seen: dict[str, int] = {"lean": 0, "slow": 0, "dead": 0}
    for raw in _raw_samples():
        document = orjson.loads(raw)
        for path in _paths(document):
            for new in [*HOSTILE, REMOVE]:
                seen[check(_replaced(document, path, new))] += 1
            # An unknown field next to every known one.
            parent = path[:-1]
            target = document
            for step in parent:
                target = target[step]
            if isinstance(target, dict):
                seen[check(_replaced(document, (*parent, "unexpected"), 1))] += 1
    # Each way is exercised: some mutations stay valid, some only pydantic reads, most are dead.
    assert min(seen.values()) > 50, seen


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[]",
        b"null",
        b'"text"',
        b"{}",
        b"\xff\xfe",
        b'{"event_id": NaN}',
    ],
)
def test_undecodable_bytes_are_left_to_pydantic(raw: bytes) -> None:
    assert decode_lean(raw) is None
    assert check(raw) == "dead"


def test_json_quirks_are_read_as_orjson_reads_them() -> None:
    raw = _raw_samples()[1]
    text = raw.decode()
    quirks = [
        # A duplicate key: the last one wins in both decodes.
        text.replace('"seq":2', '"seq":5,"seq":2'),
        text.replace('"seq":2', '"seq":2,"seq":0'),
        # Escapes that spell a long fraction or a trailing newline.
        text.replace("19:30:00Z", "19:30:00.123456\\u0037Z"),
        text.replace('"customer_id":"c-1"', '"customer_id":"c-\\u0031\\n"'),
        text.replace('"A-1-1"', '"A-1-\\u0031"'),
        text.replace('"A-1-1"', '"\\ud800"'),
        text.replace('"SeatsHeld"', '"Seats\\u0048eld"'),
        text.replace('"customer_id":"c-1"', '"customer_id":"c-1","customer_id":"c-2"'),
        text.replace('"customer_id":"c-1"', '"customer_id":"c-1","customer_id":7'),
        text.replace('"payload":{', '"payload":{"hold_id":null,'),
        text.replace(',"payload":{', ',"payload":[],"payload":{'),
        text.replace('"seq":2', '"seq":9223372036854775807'),
        text.replace('"seq":2', '"seq":9223372036854775808'),
        text.replace('"seq":2', '"seq":18446744073709551617'),
        text.replace('"seq":2', '"seq":2.0'),
        text.replace('"seq":2', '"seq":2e0'),
        text.replace('"seq":2', '"seq":-0'),
        text.replace('"seq":2', '"seq":02'),
        text.replace('"version":1', '"version":1.0'),
        text.replace("19:30:00Z", "19:30:00.1234567Z"),
        text.replace("19:30:00Z", "19:30:00.123456789Z"),
        text.replace("19:30:00Z", "19:30:00+01:00"),
        text.replace(",", " ,\n\t"),
        text.replace(":", " : "),
        text + " ",
        " " + text,
        text + "\n",
        text + "x",
        text + "{}",
        "\ufeff" + text,
    ]
    for quirk in quirks:
        assert quirk != text
        check(quirk.encode())
    for bad in (b"\xff", b"\xed\xa0\x80", b"\xc0\xaf", b"\x01", "\u00e9".encode(), "\U0001f3ad".encode()):
        check(raw.replace(b"c-1", b"c-" + bad))


def test_older_or_unknown_versions_fall_back_to_the_registry() -> None:
    raw = _raw_samples()[1]
    registry = default_registry()
    decoder = LeanDecoder(registry)
    assert decoder.decode(raw) is not None

    class SeatsHeldV2(SeatsHeld):
        event_version = 2

    registry.register(SeatsHeldV2)
    registry.register_upcaster("SeatsHeld", 1, lambda p: p)
    assert decoder.decode(raw) is None  # v1 is no longer the newest: upcasting is pydantic's job
    document = orjson.loads(_raw_samples()[1])
    document["version"] = 2
    assert decode_lean(orjson.dumps(document)) is None


def test_each_lean_model_has_the_fields_of_the_model_it_mirrors() -> None:
    registry = default_registry()
    for (event_type, version), lean_model in LEAN_MODELS.items():
        model = registry.models[(event_type, version)]
        info = msgspec.inspect.type_info(lean_model)
        assert isinstance(info, msgspec.inspect.StructType)
        assert {f.name for f in info.fields} == set(model.model_fields), event_type
        required = {f.name for f in info.fields if f.required}
        assert required == {n for n, f in model.model_fields.items() if f.is_required()}, event_type


def test_order_line_ids_are_matched_whether_or_not_seen_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """The memo of matched ids only spares a regex: an id is taken as often as it matches,
    a bad id is never taken, and a full memo starts over."""
    monkeypatch.setattr(lean, "_MATCHED_SEATS", set())
    monkeypatch.setattr(lean, "_MATCHED_ZONES", set())
    monkeypatch.setattr(lean, "_MATCHED_MAX", 2)
    paid = next(raw for raw in _raw_samples() if b'"OrderPaid"' in raw)
    document = orjson.loads(paid)
    good = document["payload"]["lines"][0]["seat_id"]
    for seat_id in (good, good, f"{good}\n", "B-1-2", "B-1-3", good, "B-1-0", "B-1-x"):
        line = document["payload"]["lines"][0]
        line["seat_id"], line["zone_id"] = seat_id, seat_id.split("-")[0]
        expected = "lean" if seat_id in (good, "B-1-2", "B-1-3") else "dead"
        assert check(_replaced(document, ("payload", "lines", 0, "seat_id"), seat_id)) == expected, seat_id
        assert len(lean._MATCHED_SEATS) <= 2
