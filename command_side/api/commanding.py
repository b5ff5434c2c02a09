"""Running a command from a route: idempotency claim, database failures, the response."""

import hashlib
from uuid import UUID

import orjson
from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel

from command_side.adapters.idempotency import IdempotencyClaim
from command_side.api.deps import Caller, CommandState
from command_side.api.errors import database_unavailable, is_unavailable
from command_side.handlers.runner import Handler, run_command


def request_hash(request: Request, payload: BaseModel | None, customer_id: str | None) -> bytes:
    """What makes two requests "the same" for an idempotency key: method, path, customer and body."""
    body = orjson.dumps(payload.model_dump(mode="json") if payload else None, option=orjson.OPT_SORT_KEYS)
    head = f"{request.method}\n{request.url.path}\n{customer_id or ''}\n".encode()
    return hashlib.sha256(head + body).digest()


def _correlation(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None  # a caller's unparsable correlation id is not worth refusing the command


async def execute(
    state: CommandState,
    request: Request,
    handler: Handler,
    *,
    caller: Caller,
    customer_id: str | None,
    idempotency_key: str | None,
    payload: BaseModel | None,
    correlation_id: str | None = None,
) -> Response:
    """Run ``handler``; the answer carries ``X-Consistency-Token`` on success.

    A replayed answer (same Idempotency-Key) also carries ``Idempotent-Replayed: true``.
    """
    claim = None
    if idempotency_key is not None:
        claim = IdempotencyClaim(
            scope=f"{caller.role}:{customer_id or '-'}",
            key=idempotency_key,
            request_hash=request_hash(request, payload, customer_id),
        )
    try:
        result = await run_command(
            state.engine, handler, claim=claim, correlation_id=_correlation(correlation_id)
        )
    except Exception as exc:
        if is_unavailable(exc):
            raise database_unavailable() from exc
        raise
    headers = {}
    if result.consistency_token:
        headers["X-Consistency-Token"] = result.consistency_token
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(
        result.body, status_code=result.status_code, media_type="application/json", headers=headers
    )
