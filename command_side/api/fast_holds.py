"""The hot path: a hold command answered without FastAPI's routing, dependencies and body handling.

An on-sale is mostly ``POST /v1/shows/{show_id}/holds``, and for such a small
command FastAPI's per-request work (route matching, dependency solving, header
and body validation through its own models, the response class) costs a good
part of the command API's CPU. This ASGI middleware answers a hold that is
plainly valid: canonical show id in the path, a JSON body with a
Content-Length, a bearer key of the checkout or operator role, headers given
once and within their documented bounds, and a body ``HoldIn`` accepts
(parsed and validated from the bytes in one pass by pydantic-core). It then
runs the same command through the same ``command_answer`` as the route: the
same idempotency scope and request hash, metrics, tracing span and answer.

Anything else (every refusal by the schema or the auth, an unusual header, a
body it cannot validate) goes on to the route with the body it already read,
so every error answer is the route's own. Database failures are answered as
``api.errors`` answers them; anything unexpected propagates to
``infra.http.unexpected`` as it does from the route. The request is labelled
with the route for the latency metrics and the server span.
"""

from uuid import UUID

from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from command_side.adapters.idempotency import IdempotencyClaim
from command_side.api import routes_holds
from command_side.api.commanding import CommandAnswer, command_answer, idempotency_claim
from command_side.api.deps import CommandState
from command_side.api.errors import database_failure
from command_side.api.schemas import HoldIn
from command_side.domain.commands import HoldBestAvailable, HoldSeats
from infra.http.asgi_headers import pick_headers
from infra.http.auth import bearer_key
from infra.http.errors import HTTP_CODES, ApiError, error_response
from infra.settings import Role

PREFIX = "/v1/shows/"
SUFFIX = "/holds"
TEMPLATE = "/v1/shows/{show_id}/holds"
ROUTE = next(r for r in routes_holds.router.routes if getattr(r, "endpoint", None) is routes_holds.post_hold)
_UUID_LENGTH = 36
_ROLES: frozenset[Role] = frozenset({"checkout", "operator"})
_MAX_IDEMPOTENCY_KEY = 200  # deps.IdempotencyKey
_MAX_CORRELATION_ID = 100  # deps.CorrelationHeader
_READ = frozenset(
    {b"authorization", b"idempotency-key", b"x-correlation-id", b"content-type", b"content-length"}
)
_JSON = b"application/json"


class FastHolds:
    """See the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        admitted = _admitted(scope)
        if admitted is None:
            await self.app(scope, receive, send)
            return
        state, show_id, role, headers = admitted
        # What the router sets before the body is read: labels the metrics and the span, also of a
        # body refused while streaming or a client that left (the route's are counted under it)
        scope["route"] = ROUTE
        try:
            body = await _body(receive)
        except HTTPException as exc:  # the body limit, while streaming: answered as the route's handler would
            body = None
            code = HTTP_CODES.get(exc.status_code, "http_error")
            await error_response(exc.status_code, code, str(exc.detail))(scope, receive, send)
        if body is None:
            return  # answered, or the client left before sending its body
        hold = _command(show_id, body, role, headers.get(b"idempotency-key"), scope["path"])
        if hold is None:
            await self.app(scope, _replay(body, receive), send)
            return
        answer = await _run(state, *hold, headers.get(b"x-correlation-id"))
        if isinstance(answer, CommandAnswer):
            await _send(send, answer)
        else:
            await answer(scope, receive, send)


def _admitted(scope: Scope) -> tuple[CommandState, UUID, Role, dict[bytes, str]] | None:
    """What a hold this path answers needs from the request's head; None to leave it to the route."""
    if scope["type"] != "http" or scope["method"] != "POST":
        return None
    show_id = _show_id(scope["path"])
    state: CommandState | None = getattr(scope["app"].state, "command", None)
    headers = _headers(scope["headers"]) if show_id is not None and state is not None else None
    if show_id is None or state is None or headers is None:
        return None
    key = bearer_key(headers.get(b"authorization"))
    role = state.api_keys.role_for(key) if key is not None else None
    return (state, show_id, role, headers) if role is not None and role in _ROLES else None


def _command(
    show_id: UUID, body: bytes, role: Role, key: str | None, path: str
) -> tuple[HoldSeats | HoldBestAvailable, IdempotencyClaim | None] | None:
    """The hold command of a body ``HoldIn`` accepts, with its key's claim; None for the route to refuse."""
    if not body:
        return None
    try:
        hold = HoldIn.model_validate_json(body)
        claim = (
            idempotency_claim(role, key, customer_id=hold.customer_id, method="POST", path=path, payload=hold)
            if key is not None
            else None
        )
    except (ValidationError, TypeError, ValueError):  # also a body the request hash could not encode
        return None
    choice = hold.choice()
    if isinstance(choice, tuple):
        return HoldSeats(show_id, hold.customer_id, choice, hold.ttl_seconds), claim
    command = HoldBestAvailable(show_id, hold.customer_id, choice.zone_id, choice.quantity, hold.ttl_seconds)
    return command, claim


async def _run(
    state: CommandState,
    command: HoldSeats | HoldBestAvailable,
    claim: IdempotencyClaim | None,
    correlation_id: str | None,
) -> CommandAnswer | Response:
    """The command's answer, or the error answer of a failure the route's handlers would answer."""
    try:
        return await command_answer(state, command, claim=claim, correlation_id=correlation_id)
    except ApiError as exc:
        return error_response(exc.status, exc.code, exc.message, exc.headers, **exc.extra)
    except Exception as exc:
        failure = database_failure(exc)
        if failure is None:
            raise
        return failure


def _show_id(path: str) -> UUID | None:
    """The show of ``/v1/shows/<id>/holds`` in the canonical spelling; None for any other path."""
    if not (path.startswith(PREFIX) and path.endswith(SUFFIX)):
        return None
    raw = path[len(PREFIX) : -len(SUFFIX)]
    if len(raw) != _UUID_LENGTH:
        return None
    try:
        show_id = UUID(raw)
    except ValueError:
        return None
    return show_id if str(show_id) == raw else None  # any other spelling: the route parses it


def _headers(raw: list[tuple[bytes, bytes]]) -> dict[bytes, str] | None:
    """The headers this path reads, each given at most once and within its bounds; None otherwise."""
    found = pick_headers(raw, _READ)
    if found is None:
        return None
    length = found.get(b"content-length")
    content_type = found.get(b"content-type")
    key = found.get(b"idempotency-key")
    correlation = found.get(b"x-correlation-id")
    if (
        length is None
        or not length.isdigit()
        or content_type is None
        or content_type.split(";", 1)[0].strip().lower().encode() != _JSON
        or (key is not None and not 0 < len(key) <= _MAX_IDEMPOTENCY_KEY)
        or (correlation is not None and len(correlation) > _MAX_CORRELATION_ID)
    ):
        return None
    return found


async def _body(receive: Receive) -> bytes | None:
    """The whole request body (``http.request`` messages until the last one); None if the client left."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` (already read) once, then whatever the connection says."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _send(send: Send, answer: CommandAnswer) -> None:
    """The answer with the route's headers (``starlette.responses.Response``'s, in its order)."""
    headers = [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers.items()
    ]
    headers.append((b"content-length", str(len(answer.body)).encode()))
    headers.append((b"content-type", _JSON))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
