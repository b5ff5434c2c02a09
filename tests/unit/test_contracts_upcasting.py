"""The upcaster registry: an old version decodes into the newest model through its chain."""

from typing import Any, ClassVar
from uuid import uuid4

import pytest

from contracts import SeatsHeld, UnsupportedEventVersionError, decode_event, encode_event, new_envelope
from contracts.envelope import Envelope
from contracts.event_types import REGISTRY, EventRegistry, default_registry
from tests.unit.test_contracts_samples import NOW, SHOW_ID


class SeatsHeldV2(SeatsHeld):
    """A hypothetical v2 that also records the sales channel; v1 events were all sold online."""

    event_version: ClassVar[int] = 2
    channel: str


class SeatsHeldV3(SeatsHeldV2):
    """A hypothetical v3 that also records how many seats were held."""

    event_version: ClassVar[int] = 3
    seat_count: int


def v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "channel": "online"}


def v2_to_v3(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "seat_count": len(payload["seat_ids"])}


def v1_event() -> bytes:
    held = SeatsHeld(hold_id=uuid4(), customer_id="c-9", seat_ids=("B-2-3", "B-2-4"), expires_at=NOW)
    return encode_event(new_envelope(held, stream_id=SHOW_ID, seq=3, correlation_id=uuid4()))


def test_a_v1_event_decodes_into_v2_through_its_upcaster() -> None:
    registry = default_registry()
    registry.register(SeatsHeldV2)
    registry.register_upcaster("SeatsHeld", 1, v1_to_v2)

    decoded = decode_event(v1_event(), registry)

    assert isinstance(decoded.payload, SeatsHeldV2)
    assert decoded.payload.channel == "online"
    assert decoded.payload.seat_ids == ("B-2-3", "B-2-4")
    assert decoded.envelope.version == 1  # the envelope still says what was published


def test_upcasters_chain_across_versions() -> None:
    registry = default_registry()
    for model in (SeatsHeldV2, SeatsHeldV3):
        registry.register(model)
    registry.register_upcaster("SeatsHeld", 1, v1_to_v2)
    registry.register_upcaster("SeatsHeld", 2, v2_to_v3)

    decoded = decode_event(v1_event(), registry)

    assert isinstance(decoded.payload, SeatsHeldV3)
    assert decoded.payload.seat_count == 2


def test_a_missing_link_in_the_chain_is_an_unsupported_version() -> None:
    registry = default_registry()
    registry.register(SeatsHeldV2)  # no upcaster from v1

    with pytest.raises(UnsupportedEventVersionError, match="SeatsHeld has no version 1"):
        decode_event(v1_event(), registry)


def test_a_private_registry_leaves_the_shared_one_alone() -> None:
    registry = EventRegistry()
    registry.register(SeatsHeldV2)

    assert REGISTRY.latest_version("SeatsHeld") == 1
    assert type(decode_event(v1_event()).payload) is SeatsHeld  # not a subclass of the private one


def test_the_envelope_rejects_unknown_fields() -> None:
    document = Envelope(
        event_id=uuid4(), type="SeatsHeld", version=1, stream_id=SHOW_ID, seq=1, occurred_at=NOW,
        correlation_id=uuid4(), payload={},
    ).model_dump()  # fmt: skip
    with pytest.raises(ValueError, match="extra"):
        Envelope.model_validate({**document, "surprise": 1})
