"""Dispatching a command from a route: idempotency claim, database failures, the response.

The answer carries ``X-Consistency-Token`` on success; a replayed answer (same
Idempotency-Key) also carries ``Idempotent-Replayed: true``. The HTTP status of
each outcome a handler answers is decided here (``STATUS_OF``), not by handlers.
Both entry points, the routes (``dispatch``) and the lean hold path
(``api.fast_holds``), answer through ``command_answer``, so they bind an
Idempotency-Key to the same request hash and answer alike.
"""

import hashlib
from dataclasses import dataclass
from functools import partial
from uuid import UUID

import orjson
from fastapi.responses import Response
from pydantic import BaseModel

from command_side.adapters.idempotency import IdempotencyClaim
from command_side.api.command_tracing import command_transaction
from command_side.api.deps import CommandCall, CommandState
from command_side.api.errors import database_unavailable, is_unavailable
from command_side.handlers.dispatch import Command
from command_side.handlers.runner import Idempotency, Statuses, run_command
from infra.settings import Role
from infra.telemetry import tracing

STATUS_OF: Statuses = {
    "created": 201,
    "done": 200,
    "invalid": 422,
    "not_found": 404,
    "conflict": 409,
    "forbidden": 403,
}


@dataclass(frozen=True, slots=True)
class CommandAnswer:
    """A command's HTTP answer: status, JSON body and the headers beyond the content's."""

    status: int
    body: bytes
    headers: dict[str, str]


def request_hash(method: str, path: str, payload: BaseModel | None, customer_id: str | None) -> bytes:
    """What makes two requests "the same" for an idempotency key: method, path, customer and body."""
    body = orjson.dumps(payload.model_dump(mode="json") if payload else None, option=orjson.OPT_SORT_KEYS)
    head = f"{method}\n{path}\n{customer_id or ''}\n".encode()
    return hashlib.sha256(head + body).digest()


def idempotency_claim(
    role: Role, key: str, *, customer_id: str | None, method: str, path: str, payload: BaseModel | None
) -> IdempotencyClaim:
    """The claim of ``key``, scoped by the caller's role and ``customer_id``, bound to the request."""
    return IdempotencyClaim(
        scope=f"{role}:{customer_id or '-'}",
        key=key,
        request_hash=request_hash(method, path, payload, customer_id),
    )


def _correlation(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None  # a caller's unparsable correlation id is not worth refusing the command


async def command_answer(
    state: CommandState, command: Command, *, claim: IdempotencyClaim | None, correlation_id: str | None
) -> CommandAnswer:
    """Run ``command``'s handler from the dispatch table and count its outcome.

    Raises ``ApiError`` 503 when the write model is unreachable; other database
    failures propagate (``api.errors`` answers them).
    """
    idempotency = Idempotency(claim, STATUS_OF) if claim is not None else None
    handler = state.handlers.handler_for(command)
    metrics = state.metrics
    try:
        running = run_command(
            state.engine,
            handler,
            idempotency=idempotency,
            correlation_id=_correlation(correlation_id),
            on_retry=metrics.retried,
            one_statement=state.handlers.one_statement_for(command),
            on_usual=partial(metrics.left_to_usual_path, command),
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
    return CommandAnswer(status, result.body, headers)


async def dispatch(
    call: CommandCall, command: Command, *, customer_id: str | None, payload: BaseModel | None = None
) -> Response:
    """Run ``command`` (see ``command_answer``) for a route.

    ``customer_id`` scopes the Idempotency-Key (with the caller's role); ``payload``
    is the body the key is bound to.
    """
    claim = None
    if call.idempotency_key is not None:
        request = call.request
        claim = idempotency_claim(
            call.caller.role,
            call.idempotency_key,
            customer_id=customer_id,
            method=request.method,
            path=request.url.path,
            payload=payload,
        )
    answer = await command_answer(call.state, command, claim=claim, correlation_id=call.correlation_id)
    return Response(
        answer.body, status_code=answer.status, media_type="application/json", headers=answer.headers
    )
