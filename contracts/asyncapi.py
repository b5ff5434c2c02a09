"""The AsyncAPI 3.0 document of the events, generated from the registry.

Every (type, version) the registry knows becomes a message of the events
channel whose payload is the envelope with that type, version and payload
schema; the dead-letter channel carries the projections' dead-letter record;
the webhook channel describes the signed POSTs made to registered endpoints.
Nothing here is written by hand per event: a new event type or version appears
in the document as soon as it is registered.
"""

from typing import Any

from contracts.envelope import Envelope
from contracts.event_types import REGISTRY, EventRegistry
from contracts.topics import DEAD_LETTER_TOPIC, EVENTS_TOPIC, EVENTS_TOPIC_PARTITIONS

Json = dict[str, Any]
KAFKA_BINDING = "0.5.0"
HTTP_BINDING = "0.3.0"
SHOW_ID_KEY: Json = {
    "type": "string",
    "format": "uuid",
    "description": "The show id (the envelope's stream_id).",
}

DEAD_LETTER: Json = {
    "type": "object",
    "description": "An event a projection could not apply, with the error and where it was read.",
    "required": ["projection", "version", "error", "topic", "partition", "offset", "dead_at"],
    "properties": {
        "projection": {"type": "string"},
        "version": {"type": "integer"},
        "error": {"type": "string"},
        "topic": {"type": "string"},
        "partition": {"type": "integer"},
        "offset": {"type": "integer"},
        "show_id": {"type": ["string", "null"], "format": "uuid"},
        "key_b64": {"type": ["string", "null"], "description": "The original key, base64."},
        "value_b64": {"type": ["string", "null"], "description": "The original bytes, base64."},
        "dead_at": {"type": "string", "format": "date-time"},
    },
}
DEAD_LETTER_HEADERS: Json = {
    "type": "object",
    "properties": {
        name: {"type": "string", "description": text}
        for name, text in (
            ("projection", "The projection that failed."),
            ("error", "The error, cut to 500 characters."),
            ("original_partition", "Partition of the events topic the event was read from."),
            ("original_offset", "Its offset there."),
        )
    },
}
WEBHOOK_HEADERS: Json = {
    "type": "object",
    "required": [
        "X-Boxoffice-Event-Id",
        "X-Boxoffice-Event-Type",
        "X-Boxoffice-Delivery-Attempt",
        "X-Boxoffice-Signature",
    ],
    "properties": {
        "X-Boxoffice-Event-Id": {"type": "string", "format": "uuid", "description": "Deduplicate on it."},
        "X-Boxoffice-Event-Type": {"type": "string"},
        "X-Boxoffice-Delivery-Attempt": {"type": "string", "pattern": "^[1-9][0-9]*$"},
        "X-Boxoffice-Signature": {
            "type": "string",
            "pattern": "^sha256=[0-9a-f]{64}$",
            "description": "HMAC-SHA256 of the raw body keyed by the webhook's secret, hex.",
        },
    },
}


def _hoisted(schema: Json, prefix: str, schemas: Json) -> Json:
    """``schema`` with its ``$defs`` moved to ``components/schemas`` (as ``<prefix>_<name>``)."""
    defs = schema.pop("$defs", {})

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return {**node, "$ref": f"#/components/schemas/{prefix}_{ref.removeprefix('#/$defs/')}"}
            return {key: rewrite(value) for key, value in node.items()}
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        return node

    for name, definition in defs.items():
        schemas[f"{prefix}_{name}"] = rewrite(definition)
    result: Json = rewrite(schema)
    return result


def _event_messages(registry: EventRegistry, schemas: Json) -> Json:
    messages: Json = {}
    for (event_type, version), model in sorted(registry.models.items()):
        name = f"{event_type}.v{version}"
        schemas[f"{name}.payload"] = _hoisted(model.model_json_schema(), name.replace(".", "_"), schemas)
        schemas[name] = {
            "allOf": [
                {"$ref": "#/components/schemas/Envelope"},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": event_type},
                        "version": {"const": version},
                        "payload": {"$ref": f"#/components/schemas/{name}.payload"},
                    },
                },
            ]
        }
        messages[name] = {
            "name": event_type,
            "title": f"{event_type} v{version}",
            "summary": (model.__doc__ or event_type).strip().splitlines()[0],
            "contentType": "application/json",
            "payload": {"$ref": f"#/components/schemas/{name}"},
            "bindings": {"kafka": {"key": SHOW_ID_KEY, "bindingVersion": KAFKA_BINDING}},
        }
    return messages


def asyncapi_document(registry: EventRegistry = REGISTRY) -> Json:
    """The AsyncAPI 3.0 document of the events topic, the dead-letter topic and webhook deliveries."""
    schemas: Json = {
        "Envelope": _hoisted(Envelope.model_json_schema(), "Envelope", {}),
        "DeadLetter": DEAD_LETTER,
    }
    messages = _event_messages(registry, schemas)
    event_refs = {name: {"$ref": f"#/components/messages/{name}"} for name in messages}
    deliveries = {
        f"{name}.delivery": {
            "name": f"{message['name']} delivery",
            "title": f"{message['title']} delivered to a webhook",
            "contentType": "application/json",
            "headers": WEBHOOK_HEADERS,
            "payload": message["payload"],
            "bindings": {"http": {"bindingVersion": HTTP_BINDING}},
        }
        for name, message in messages.items()
    }
    messages |= deliveries
    messages["DeadLetter"] = {
        "name": "DeadLetter",
        "contentType": "application/json",
        "headers": DEAD_LETTER_HEADERS,
        "payload": {"$ref": "#/components/schemas/DeadLetter"},
        "bindings": {"kafka": {"key": SHOW_ID_KEY, "bindingVersion": KAFKA_BINDING}},
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "boxoffice events",
            "version": "1",
            "description": "Every event of boxoffice (one topic keyed by show id, in seq order per show), "
            "the projections' dead letters, and the signed webhook deliveries of the events.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "kafka": {"host": "localhost:19092", "protocol": "kafka", "description": "The local broker."},
        },
        "channels": {
            "events": {
                "address": EVENTS_TOPIC,
                "description": "Every event, keyed by show id; infinite retention.",
                "messages": event_refs,
                "servers": [{"$ref": "#/servers/kafka"}],
                "bindings": {
                    "kafka": {
                        "topic": EVENTS_TOPIC,
                        "partitions": EVENTS_TOPIC_PARTITIONS,
                        "bindingVersion": KAFKA_BINDING,
                    }
                },
            },
            "deadLetters": {
                "address": DEAD_LETTER_TOPIC,
                "description": "Events a projection could not apply, with the error.",
                "messages": {"DeadLetter": {"$ref": "#/components/messages/DeadLetter"}},
                "servers": [{"$ref": "#/servers/kafka"}],
            },
            "webhookDeliveries": {
                "address": None,
                "description": "POSTs to each registered webhook URL: at least once, in seq order per "
                "(webhook, show), retried with backoff for a day; any 2xx is success.",
                "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in deliveries},
            },
        },
        "operations": {
            "publishEvent": {
                "action": "send",
                "summary": "The command side's outbox relay publishes each committed event once.",
                "channel": {"$ref": "#/channels/events"},
                "messages": [{"$ref": f"#/channels/events/messages/{name}"} for name in event_refs],
            },
            "publishDeadLetter": {
                "action": "send",
                "channel": {"$ref": "#/channels/deadLetters"},
                "messages": [{"$ref": "#/channels/deadLetters/messages/DeadLetter"}],
            },
            "deliverWebhook": {
                "action": "send",
                "summary": "The webhook dispatcher POSTs an event to a registered endpoint.",
                "channel": {"$ref": "#/channels/webhookDeliveries"},
                "messages": [
                    {"$ref": f"#/channels/webhookDeliveries/messages/{name}"} for name in deliveries
                ],
                "bindings": {"http": {"method": "POST", "bindingVersion": HTTP_BINDING}},
            },
        },
        "components": {"schemas": schemas, "messages": messages},
    }
