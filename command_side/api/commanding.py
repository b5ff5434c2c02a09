"""Dispatching a command from a route: idempotency claim, database failures, the response.

The answer carries ``X-Consistency-Token`` on success; a replayed answer (same
Idempotency-Key) also carries ``Idempotent-Replayed: true``. The HTTP status of
each outcome a handler answers is decided here (``STATUS_OF``), not by handlers.
"""

import hashlib
from uuid import UUID

import orjson
from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel

from command_side.adapters.idempotency import IdempotencyClaim
from command_side.api.command_tracing import command_transaction
from command_side.api.deps import CommandCall
from command_side.api.errors import database_unavailable, is_unavailable
from command_side.handlers.dispatch import Command
from command_side.handlers.runner import Idempotency, Statuses, run_command
from infra.telemetry import tracing

STATUS_OF: Statuses = {
    "created": 201,
    "done": 200,
    "invalid": 422,
    "not_found": 404,
    "conflict": 409,
    "forbidden": 403,
}


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


async def dispatch(
    call: CommandCall, command: Command, *, customer_id: str | None, payload: BaseModel | None = None
) -> Response:
    """Run ``command``'s handler from the dispatch table; see the module docstring.

    ``customer_id`` scopes the Idempotency-Key (with the caller's role); ``payload``
    is the body the key is bound to.
    """
    idempotency = None
    if call.idempotency_key is not None:
        claim = IdempotencyClaim(
            scope=f"{call.caller.role}:{customer_id or '-'}",
            key=call.idempotency_key,
            request_hash=request_hash(call.request, payload, customer_id),
        )
        idempotency = Idempotency(claim, STATUS_OF)
    handler = call.state.handlers.handler_for(command)
    metrics = call.state.metrics
    try:
        running = run_command(
            call.state.engine,
            handler,
            idempotency=idempotency,
            correlation_id=_correlation(call.correlation_id),
            on_retry=metrics.retried,
        )
        result = await (command_transaction(command, running) if tracing.on else running)
    except Exception as exc:
        metrics.command(command, "error")
        if is_unavailable(exc):
            raise database_unavailable() from exc
        raise
    headers = {}
    if result.consistency_token:
        headers["X-Consistency-Token"] = result.consistency_token
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    status = result.status(STATUS_OF)
    metrics.command(command, "replayed" if result.replayed else "rejected" if status >= 400 else "accepted")
    return Response(result.body, status_code=status, media_type="application/json", headers=headers)
