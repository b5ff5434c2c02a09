"""Which payload model reads which (type, version), and how old versions are upcast.

Decoding always yields the newest version of a type: an older payload is
passed through the chain of upcasters ``(type, v) -> v + 1`` first. Adding a
version means adding the new model here and one upcaster from the previous one.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contracts.envelope import Envelope
from contracts.events import ALL_PAYLOADS, EventPayload

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class DecodedEvent:
    """An envelope together with its payload, validated and upcast to the newest version."""

    envelope: Envelope
    payload: EventPayload


@dataclass
class EventRegistry:
    """Known payload models by (type, version), and upcasters from each older version."""

    models: dict[tuple[str, int], type[EventPayload]] = field(default_factory=dict)
    upcasters: dict[tuple[str, int], Upcaster] = field(default_factory=dict)

    def register(self, model: type[EventPayload]) -> None:
        self.models[(model.event_type, model.event_version)] = model

    def register_upcaster(self, event_type: str, from_version: int, upcaster: Upcaster) -> None:
        self.upcasters[(event_type, from_version)] = upcaster

    def knows_type(self, event_type: str) -> bool:
        return any(t == event_type for t, _ in self.models)

    def latest_version(self, event_type: str) -> int:
        return max(v for t, v in self.models if t == event_type)

    def latest_model(self, event_type: str) -> type[EventPayload]:
        return self.models[(event_type, self.latest_version(event_type))]

    def upcast(self, event_type: str, version: int, payload: dict[str, Any]) -> dict[str, Any] | None:
        """The payload brought to the newest version, or None if no chain of upcasters leads there."""
        latest = self.latest_version(event_type)
        while version < latest:
            step = self.upcasters.get((event_type, version))
            if step is None:
                return None
            payload, version = step(payload), version + 1
        return payload if version == latest else None


def default_registry() -> EventRegistry:
    registry = EventRegistry()
    for model in ALL_PAYLOADS:
        registry.register(model)
    return registry


REGISTRY = default_registry()
