"""JSON Schema export: one file per event type and version."""

from pathlib import Path

import orjson

from contracts.envelope import Envelope
from contracts.event_types import REGISTRY, EventRegistry


def export_schemas(directory: Path, registry: EventRegistry = REGISTRY) -> list[Path]:
    """Write ``<Type>.v<N>.json`` for every payload model and ``Envelope.json``; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    envelope = directory / "Envelope.json"
    envelope.write_bytes(orjson.dumps(Envelope.model_json_schema(), option=orjson.OPT_INDENT_2))
    written.append(envelope)
    for (event_type, version), model in sorted(registry.models.items()):
        schema = model.model_json_schema()
        schema["$id"] = f"boxoffice:{event_type}:v{version}"
        path = directory / f"{event_type}.v{version}.json"
        path.write_bytes(orjson.dumps(schema, option=orjson.OPT_INDENT_2))
        written.append(path)
    return written
