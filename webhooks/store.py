"""The deliveries in PostgreSQL: recording them from events, claiming due ones, recording outcomes.

Recording is idempotent: a delivery is keyed by (webhook, event id), so an
event read twice (after a crash before its offset was committed) records
nothing new. Claiming takes only the head of each (webhook, show) lane, its
lowest pending seq, and leases it, so a lane is delivered in seq order by one
worker at a time; a lease whose worker died lapses and the delivery is retried.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from infra.db import sqlalchemy_url
from webhooks.settings import WebhookSettings

ALL_TYPES = "*"


@dataclass(frozen=True, slots=True)
class IncomingEvent:
    """What recording needs of an event: its identity, lane and raw bytes."""

    event_id: UUID
    event_type: str
    show_id: UUID
    seq: int
    occurred_at: datetime
    body: bytes


@dataclass(frozen=True, slots=True)
class Delivery:
    """A claimed delivery: one POST to make, with the attempt number it carries."""

    delivery_id: int
    webhook_id: UUID
    url: str
    secret: str
    event_id: UUID
    event_type: str
    body: bytes
    attempt: int
    recorded_at: datetime


_RECORD = text(
    """
    INSERT INTO write_model.webhook_deliveries (webhook_id, event_id, show_id, seq, event_type, body)
    SELECT w.webhook_id, :event_id, :show_id, :seq, :event_type, :body
    FROM write_model.webhooks w
    WHERE w.deleted_at IS NULL AND w.created_at <= :occurred_at
      AND (:event_type = ANY (w.event_types) OR :all_types = ANY (w.event_types))
    ON CONFLICT (webhook_id, event_id) DO NOTHING
    """
)

# Heads of lanes first (DISTINCT ON takes the lowest pending seq of each), then
# those due and not leased; the lease is re-checked on the row itself, so two
# workers racing for one head cannot both win it.
_CLAIM = text(
    """
    WITH heads AS (
        SELECT DISTINCT ON (webhook_id, show_id) delivery_id, next_attempt_at, leased_until
        FROM write_model.webhook_deliveries
        WHERE status = 'pending'
        ORDER BY webhook_id, show_id, seq
    ), due AS (
        SELECT delivery_id FROM heads
        WHERE next_attempt_at <= now() AND (leased_until IS NULL OR leased_until < now())
        ORDER BY next_attempt_at
        LIMIT :limit
    )
    UPDATE write_model.webhook_deliveries d
    SET attempts = d.attempts + 1, leased_until = now() + make_interval(secs => :lease)
    FROM due, write_model.webhooks w
    WHERE d.delivery_id = due.delivery_id AND w.webhook_id = d.webhook_id
      AND d.status = 'pending' AND (d.leased_until IS NULL OR d.leased_until < now())
    RETURNING d.delivery_id, d.webhook_id, w.url, w.secret, d.event_id, d.event_type, d.body,
              d.attempts AS attempt, d.created_at AS recorded_at
    """
)


def create_engine(settings: WebhookSettings) -> AsyncEngine:
    return create_async_engine(
        sqlalchemy_url(settings.database_url),
        pool_size=4,
        max_overflow=4,
        connect_args={"connect_timeout": settings.db_connect_timeout_seconds, "options": "-c timezone=UTC"},
    )


class DeliveryStore:
    """Deliveries in the write model's ``webhook_deliveries`` table."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def record(self, event: IncomingEvent) -> int:
        """Record a delivery of ``event`` to every live webhook that wants it; how many were new."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                _RECORD,
                {
                    "event_id": event.event_id,
                    "show_id": event.show_id,
                    "seq": event.seq,
                    "event_type": event.event_type,
                    "body": event.body,
                    "occurred_at": event.occurred_at,
                    "all_types": ALL_TYPES,
                },
            )
        return int(result.rowcount)

    async def claim(self, limit: int, lease_seconds: float) -> list[Delivery]:
        """Lease up to ``limit`` due lane heads; each claim counts as an attempt."""
        async with self.engine.begin() as conn:
            rows = await conn.execute(_CLAIM, {"limit": limit, "lease": lease_seconds})
            return [Delivery(**{**row._asdict(), "body": bytes(row.body)}) for row in rows]

    async def delivered(self, delivery: Delivery, status: int) -> None:
        await self._finish(delivery, "delivered", status, None, None)

    async def failed(
        self, delivery: Delivery, status: int | None, error: str, retry_at: datetime | None
    ) -> None:
        """A failed try: pending again until ``retry_at``, or failed for good when it is None."""
        await self._finish(delivery, "pending" if retry_at else "failed", status, error[:500], retry_at)

    async def _finish(
        self, delivery: Delivery, state: str, status: int | None, error: str | None, retry_at: datetime | None
    ) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                text(
                    """
                    UPDATE write_model.webhook_deliveries
                    SET status = :state, last_status = :status, last_error = :error, leased_until = NULL,
                        next_attempt_at = COALESCE(:retry_at, next_attempt_at),
                        delivered_at = CASE WHEN :state = 'delivered' THEN now() END
                    WHERE delivery_id = :id AND status = 'pending'
                    """
                ),
                {
                    "state": state,
                    "status": status,
                    "error": error,
                    "retry_at": retry_at,
                    "id": delivery.delivery_id,
                },
            )
