"""The reliability checks tell an event record from poison by the (show, seq) its envelope names."""

from uuid import UUID

import orjson
import pytest

from tests.reliability.harness.checks_write import event_key

SHOW = UUID("8d3c2f4e-1b6a-4c0e-9f57-2a8e1c3d4b5f")


def test_an_envelope_names_its_show_and_seq() -> None:
    value = orjson.dumps({"stream_id": str(SHOW), "seq": 7, "type": "SeatsHeld", "payload": {}})

    assert event_key(value) == (SHOW, 7)


@pytest.mark.parametrize(
    "value",
    [
        b"not json",
        b"[1, 2]",
        orjson.dumps({"seq": 7}),
        orjson.dumps({"stream_id": "not-a-uuid", "seq": 7}),
        orjson.dumps({"stream_id": str(SHOW), "seq": "seven"}),
        orjson.dumps({"stream_id": None, "seq": 7}),
    ],
)
def test_anything_else_is_poison(value: bytes) -> None:
    assert event_key(value) is None
