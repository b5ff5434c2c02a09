"""Webhook endpoints (operator role): register, list, delete, and inspect their deliveries.

A webhook's secret is made here, returned once in the 201 answer and never
again: listings leave it out and nothing logs it. A URL is refused (422) unless
it is http(s) and, where private destinations are not allowed, every address it
resolves to is public; the dispatcher checks again at each delivery.
"""

import hashlib
import secrets
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID, uuid4

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text

from command_side.api.deps import IdempotencyKey, OperatorDep, StateDep
from command_side.api.schemas import NO_NUL
from contracts.event_types import REGISTRY
from infra.http.destinations import DestinationRefusedError, DestinationSettings, check_destination
from infra.http.error_models import ErrorPublic
from infra.http.errors import ApiError

router = APIRouter(prefix="/v1", tags=["webhooks"])
ALL_TYPES = "*"
DeliveryStatus = Literal["pending", "delivered", "failed"]
_ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorPublic} for code in (401, 403, 404, 409, 422, 503)
}


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(min_length=1, max_length=2000, examples=["https://crm.example.com/boxoffice"])
    event_types: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        min_length=1, max_length=50, description='Event types to receive; "*" for all of them.'
    )
    description: str | None = Field(default=None, max_length=500, pattern=NO_NUL)


class WebhookCreated(BaseModel):
    webhook_id: UUID
    secret: str = Field(description="The HMAC-SHA256 key of the signatures. Shown once: keep it.")


class WebhookPublic(BaseModel):
    webhook_id: UUID
    url: str
    event_types: list[str]
    description: str | None
    created_at: datetime


class WebhooksPublic(BaseModel):
    webhooks: list[WebhookPublic]


class DeliveryPublic(BaseModel):
    event_id: UUID
    event_type: str
    show_id: UUID
    seq: int
    status: DeliveryStatus
    attempts: int
    last_status: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None


class DeliveriesPublic(BaseModel):
    webhook_id: UUID
    deliveries: list[DeliveryPublic]


def _json(model: BaseModel, status: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code=status, media_type="application/json")


def _destinations(request: Request) -> DestinationSettings:
    settings: DestinationSettings | None = getattr(request.app.state, "webhook_destinations", None)
    if settings is None:
        settings = request.app.state.webhook_destinations = DestinationSettings()
    return settings


def _check_event_types(event_types: list[str]) -> list[str]:
    unknown = sorted({t for t in event_types if t != ALL_TYPES and not REGISTRY.knows_type(t)})
    if unknown:
        known = sorted({t for t, _ in REGISTRY.models})
        raise ApiError(422, "unknown_event_type", f"unknown event types: {', '.join(unknown)}", known=known)
    return sorted(set(event_types))


@router.post("/webhooks", status_code=201, responses={201: {"model": WebhookCreated}, **_ERRORS})
async def post_webhook(
    *,
    body: WebhookIn,
    request: Request,
    state: StateDep,
    caller: OperatorDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Register an endpoint for signed deliveries of the given event types; the secret is shown once."""
    event_types = _check_event_types(body.event_types)
    try:
        await check_destination(body.url, allow_private=_destinations(request).allow_private)
    except DestinationRefusedError as exc:
        raise ApiError(422, exc.code, str(exc)) from exc
    digest = hashlib.sha256(orjson.dumps(body.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)).digest()
    webhook_id, secret = uuid4(), f"whsec_{secrets.token_urlsafe(32)}"
    async with state.engine.begin() as conn:
        if idempotency_key is not None:
            prior = (
                await conn.execute(
                    text(
                        "SELECT webhook_id, secret, request_hash FROM write_model.webhooks "
                        "WHERE idempotency_key = :key"
                    ),
                    {"key": idempotency_key},
                )
            ).one_or_none()
            if prior is not None:
                if bytes(prior.request_hash) != digest:
                    raise ApiError(
                        422, "idempotency_key_reused", "this Idempotency-Key was used with another body"
                    )
                return _json(WebhookCreated(webhook_id=prior.webhook_id, secret=prior.secret), 201)
        inserted = await conn.execute(
            text(
                "INSERT INTO write_model.webhooks (webhook_id, url, event_types, description, secret, "
                "idempotency_key, request_hash) "
                "VALUES (:id, :url, :types, :description, :secret, :key, :hash) "
                "ON CONFLICT DO NOTHING RETURNING webhook_id"
            ),
            {
                "id": webhook_id,
                "url": body.url,
                "types": event_types,
                "description": body.description,
                "secret": secret,
                "key": idempotency_key,
                "hash": digest,
            },
        )
        if inserted.one_or_none() is None:
            raise ApiError(409, "webhook_exists", "a webhook with this URL (or Idempotency-Key) exists")
    return _json(WebhookCreated(webhook_id=webhook_id, secret=secret), 201)


@router.get("/webhooks", responses={200: {"model": WebhooksPublic}, **_ERRORS})
async def list_webhooks(state: StateDep, caller: OperatorDep) -> Response:
    """The registered webhooks, oldest first (without their secrets)."""
    async with state.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT webhook_id, url, event_types, description, created_at FROM write_model.webhooks "
                "WHERE deleted_at IS NULL ORDER BY created_at, webhook_id"
            )
        )
        webhooks = [WebhookPublic.model_validate(row._asdict()) for row in rows]
    return _json(WebhooksPublic(webhooks=webhooks))


@router.delete("/webhooks/{webhook_id}", responses=_ERRORS)
async def delete_webhook(webhook_id: UUID, state: StateDep, caller: OperatorDep) -> Response:
    """Stop delivering to a webhook; its pending deliveries are marked failed."""
    async with state.engine.begin() as conn:
        deleted = await conn.execute(
            text(
                "UPDATE write_model.webhooks SET deleted_at = now() "
                "WHERE webhook_id = :id AND deleted_at IS NULL RETURNING webhook_id"
            ),
            {"id": webhook_id},
        )
        if deleted.one_or_none() is None:
            raise ApiError(404, "webhook_not_found", "no such webhook", webhook_id=str(webhook_id))
        await conn.execute(
            text(
                "UPDATE write_model.webhook_deliveries "
                "SET status = 'failed', last_error = 'webhook deleted', leased_until = NULL "
                "WHERE webhook_id = :id AND status = 'pending'"
            ),
            {"id": webhook_id},
        )
    return Response(
        orjson.dumps({"webhook_id": str(webhook_id), "deleted": True}), media_type="application/json"
    )


@router.get("/webhooks/{webhook_id}/deliveries", responses={200: {"model": DeliveriesPublic}, **_ERRORS})
async def list_deliveries(
    webhook_id: UUID,
    state: StateDep,
    caller: OperatorDep,
    status: DeliveryStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """A webhook's most recent deliveries (optionally of one status), newest first."""
    async with state.engine.connect() as conn:
        known = await conn.execute(
            text("SELECT 1 FROM write_model.webhooks WHERE webhook_id = :id"), {"id": webhook_id}
        )
        if known.one_or_none() is None:
            raise ApiError(404, "webhook_not_found", "no such webhook", webhook_id=str(webhook_id))
        rows = await conn.execute(
            text(
                "SELECT event_id, event_type, show_id, seq, status, attempts, last_status, last_error, "
                "CASE WHEN status = 'pending' THEN next_attempt_at END AS next_attempt_at, delivered_at "
                "FROM write_model.webhook_deliveries WHERE webhook_id = :id "
                "AND (CAST(:status AS text) IS NULL OR status = :status) "
                "ORDER BY delivery_id DESC LIMIT :limit"
            ),
            {"id": webhook_id, "status": status, "limit": limit},
        )
        deliveries = [DeliveryPublic.model_validate(row._asdict()) for row in rows]
    return _json(DeliveriesPublic(webhook_id=webhook_id, deliveries=deliveries))
