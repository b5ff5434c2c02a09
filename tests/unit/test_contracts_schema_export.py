"""JSON Schema export writes one file per event type and version, plus the envelope."""

import json
from pathlib import Path
from typing import ClassVar

from contracts.event_types import EventRegistry, default_registry
from contracts.events import ALL_PAYLOADS, EventPayload
from contracts.schema_export import export_schemas


def test_one_file_per_type_and_version_plus_the_envelope(tmp_path: Path) -> None:
    written = export_schemas(tmp_path / "schemas")

    expected = {f"{m.event_type}.v{m.event_version}.json" for m in ALL_PAYLOADS} | {"Envelope.json"}
    assert {p.name for p in written} == expected
    assert {p.name for p in (tmp_path / "schemas").iterdir()} == expected


def test_each_schema_is_json_schema_of_its_model(tmp_path: Path) -> None:
    export_schemas(tmp_path)

    for model in ALL_PAYLOADS:
        schema = json.loads((tmp_path / f"{model.event_type}.v{model.event_version}.json").read_text())
        assert schema["$id"] == f"boxoffice:{model.event_type}:v{model.event_version}"
        assert schema["type"] == "object"
        assert set(schema["required"]) <= set(schema["properties"])
        assert set(schema["properties"]) == set(model.model_fields)
    envelope = json.loads((tmp_path / "Envelope.json").read_text())
    assert {"event_id", "type", "version", "stream_id", "seq", "payload"} <= set(envelope["required"])


class SeatsHeldV2(EventPayload):
    event_type: ClassVar[str] = "SeatsHeld"
    event_version: ClassVar[int] = 2
    hold_id: str
    channel: str


def test_every_version_of_a_type_gets_its_own_file(tmp_path: Path) -> None:
    registry: EventRegistry = default_registry()
    registry.register(SeatsHeldV2)

    names = {p.name for p in export_schemas(tmp_path, registry)}

    assert {"SeatsHeld.v1.json", "SeatsHeld.v2.json"} <= names
    v2 = json.loads((tmp_path / "SeatsHeld.v2.json").read_text())
    assert "channel" in v2["properties"]


def test_export_is_repeatable(tmp_path: Path) -> None:
    first = {p.name: p.read_bytes() for p in export_schemas(tmp_path)}
    second = {p.name: p.read_bytes() for p in export_schemas(tmp_path)}

    assert first == second
