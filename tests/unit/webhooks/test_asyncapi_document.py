"""The AsyncAPI document is valid AsyncAPI 3.0 and names every registered event type and version.

``asyncapi-3.0.0.schema.json`` is the specification's JSON Schema as the
AsyncAPI Initiative publishes it (``schemas/3.0.0-without-$id.json`` of the
``@asyncapi/specs`` package 6.11.1, Apache-2.0), kept here so the test needs no network.
"""

from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

from contracts.asyncapi import asyncapi_document
from contracts.event_types import REGISTRY

SPEC_SCHEMA = orjson.loads((Path(__file__).parent / "asyncapi-3.0.0.schema.json").read_bytes())


def test_the_document_is_valid_asyncapi_3() -> None:
    jsonschema.Draft7Validator(SPEC_SCHEMA).validate(asyncapi_document())


def test_a_broken_document_is_caught_by_the_validation() -> None:
    document = asyncapi_document()
    document["channels"]["events"]["messages"] = "not messages"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SPEC_SCHEMA).validate(document)


def test_every_registered_event_type_and_version_is_a_message_of_the_events_channel() -> None:
    document = asyncapi_document()
    on_topic = document["channels"]["events"]["messages"]
    delivered = document["channels"]["webhookDeliveries"]["messages"]
    for event_type, version in REGISTRY.models:
        name = f"{event_type}.v{version}"
        assert name in on_topic
        assert f"{name}.delivery" in delivered
        schema = document["components"]["schemas"][name]
        assert schema["allOf"][1]["properties"]["type"] == {"const": event_type}
        assert schema["allOf"][1]["properties"]["version"] == {"const": version}


def test_every_reference_resolves_inside_the_document() -> None:
    document = asyncapi_document()

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
            return found + [r for value in node.values() for r in refs(value)]
        if isinstance(node, list):
            return [r for item in node for r in refs(item)]
        return []

    for ref in refs(document):
        target: Any = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        assert target is not None, ref


def test_the_key_and_the_dead_letter_topic_are_described() -> None:
    document = asyncapi_document()
    assert document["channels"]["events"]["address"] == "boxoffice.events"
    assert document["channels"]["deadLetters"]["address"] == "boxoffice.events.dlq"
    message = document["components"]["messages"]["DeadLetter"]
    assert "original_offset" in message["headers"]["properties"]
    assert (
        "X-Boxoffice-Signature"
        in document["components"]["messages"]["OrderPaid.v1.delivery"]["headers"]["required"]
    )
