"""The rows one generated slice of history puts in the write model and the topic.

Column orders match ``COLUMNS``; ``load.py`` copies each list into its table.
Events are written as plain dicts in the field order of their ``contracts``
model and encoded once with orjson: the bytes are those ``encode_event`` gives
for the same event (the generator builds only valid events, so it skips the
models' validation, about two thirds of its time; tests decode every body with
``contracts`` and compare the bytes).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from contracts import EventPayload

Row = tuple[Any, ...]

COLUMNS: dict[str, tuple[str, ...]] = {
    "shows": ("show_id", "venue_id", "title", "starts_at", "stream_version", "created_at"),
    "show_prices": ("show_id", "zone_id", "price_cents"),
    "seat_inventory": (
        "show_id",
        "seat_id",
        "zone_id",
        "row",
        "row_ordinal",
        "row_seats",
        "number",
        "status",
        "hold_id",
        "order_id",
        "held_until",
    ),
    "holds": (
        "hold_id",
        "show_id",
        "customer_id",
        "seat_ids",
        "status",
        "expires_at",
        "created_at",
        "ended_at",
    ),
    "orders": (
        "order_id",
        "show_id",
        "hold_id",
        "customer_id",
        "referrer_id",
        "lines",
        "total_cents",
        "status",
        "pay_by",
        "payment_ref",
        "paid_at",
        "refunded_cents",
        "cancel_reason",
        "created_at",
        "ended_at",
    ),
    "outbox": ("event_id", "show_id", "seq", "event_type", "body", "occurred_at", "published_at"),
}


@dataclass(slots=True)
class Slice:
    """Write-model rows and topic messages of a batch of generated shows."""

    tables: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in COLUMNS})
    messages: list[tuple[UUID, bytes]] = field(default_factory=list)  # (show_id, body), seq order per show
    orders: int = 0

    @property
    def events(self) -> int:
        return len(self.messages)


class ShowStream:
    """Appends events to one show's stream: gapless seqs from 1, outbox row and message for each."""

    def __init__(self, target: Slice, show_id: UUID, published_at: datetime, new_id: Any) -> None:
        self.target, self.show_id, self.published_at = target, show_id, published_at
        self.seq = 0
        self._new_id = new_id

    def emit(self, event: type[EventPayload], payload: dict[str, Any], at: datetime) -> None:
        """Append ``payload`` (the fields of ``event`` in their declared order, UTC datetimes)."""
        self.seq += 1
        correlation_id = self._new_id()
        event_id = self._new_id()
        envelope = {
            "event_id": event_id,
            "type": event.event_type,
            "version": event.event_version,
            "stream_id": self.show_id,
            "seq": self.seq,
            "occurred_at": at,
            "correlation_id": correlation_id,
            "causation_id": None,
            "payload": payload,
        }
        body = orjson.dumps(envelope, option=orjson.OPT_UTC_Z)
        self.target.tables["outbox"].append(
            (event_id, self.show_id, self.seq, event.event_type, body, at, self.published_at)
        )
        self.target.messages.append((self.show_id, body))
