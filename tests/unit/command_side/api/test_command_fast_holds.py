"""The lean hold path decides, without I/O, which holds it answers and hands every other request on.

``command_answer`` (the database) is replaced by a recorder: these tests check
what the path admits, the command and idempotency claim it builds (the route's
own), the answer it sends, and that anything it does not answer reaches the
route with the body intact.
"""

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast
from uuid import UUID, uuid4

import orjson
import pytest
from pydantic import SecretStr
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException
from starlette.types import Message, Receive, Scope, Send

from command_side.adapters.idempotency import IdempotencyClaim
from command_side.api import fast_holds
from command_side.api.commanding import CommandAnswer, request_hash
from command_side.api.deps import CommandState
from command_side.api.errors import database_unavailable
from command_side.api.fast_holds import ROUTE, TEMPLATE, FastHolds
from command_side.api.schemas import HoldIn
from command_side.domain.commands import HoldBestAvailable, HoldSeats
from infra.settings import ApiKeySettings

KEYS = "operator:unit-operator-key,checkout:unit-checkout-key,viewer:unit-viewer-key"
CHECKOUT = (b"authorization", b"Bearer unit-checkout-key")
SHOW = UUID("5c0ffee0-0000-4000-8000-000000000001")
PATH = f"/v1/shows/{SHOW}/holds"
BODY = orjson.dumps({"customer_id": "c-1", "seat_ids": ["A-1-1", "A-1-2"]})


@dataclass
class Recorded:
    """What the path handed to ``command_answer`` and to the route, and what it sent."""

    commands: list[tuple[Any, IdempotencyClaim | None, str | None]] = field(default_factory=list)
    routed: list[bytes] = field(default_factory=list)
    sent: list[Message] = field(default_factory=list)
    answer: CommandAnswer | Exception = field(
        default_factory=lambda: CommandAnswer(201, b'{"hold_id":"h"}', {"X-Consistency-Token": "tok"})
    )

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def headers(self) -> dict[bytes, bytes]:
        return dict(self.sent[0]["headers"])

    @property
    def body(self) -> Any:
        return orjson.loads(self.sent[1]["body"])


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Recorded:
    record = Recorded()

    async def answer(
        state: CommandState, command: Any, *, claim: IdempotencyClaim | None, correlation_id: str | None
    ) -> CommandAnswer:
        record.commands.append((command, claim, correlation_id))
        if isinstance(record.answer, Exception):
            raise record.answer
        return record.answer

    monkeypatch.setattr(fast_holds, "command_answer", answer)
    return record


async def _call(
    record: Recorded,
    body: bytes = BODY,
    *,
    headers: tuple[tuple[bytes, bytes], ...] = (CHECKOUT,),
    path: str = PATH,
    method: str = "POST",
    content_type: bytes | None = b"application/json",
    too_large: bool = False,
    disconnect: bool = False,
) -> Scope:
    async def route(scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        record.routed.append(message["body"])

    async def receive() -> Message:
        if too_large:  # what the BodyLimit middleware raises once a streamed body passes the limit
            raise HTTPException(413, "bodies are limited to 10 bytes")
        if disconnect:
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        record.sent.append(message)

    state = CommandState(
        settings=cast(Any, None),
        api_keys=ApiKeySettings(api_keys=SecretStr(KEYS)),
        engine=cast(Any, None),
        handlers=cast(Any, None),
        metrics=cast(Any, None),
    )
    head = [*headers, (b"content-length", str(len(body)).encode())]
    if content_type is not None:
        head.append((b"content-type", content_type))
    scope: Scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": head,
        "app": SimpleNamespace(state=SimpleNamespace(command=state)),
    }
    await FastHolds(route)(scope, receive, send)
    return scope


async def test_a_valid_hold_is_answered_with_the_routes_command_claim_and_headers(recorded: Recorded) -> None:
    key = (b"idempotency-key", b"k-1")
    correlation = (b"x-correlation-id", str(uuid4()).encode())
    scope = await _call(recorded, headers=(CHECKOUT, key, correlation))
    assert recorded.routed == []
    [(command, claim, correlation_id)] = recorded.commands
    assert command == HoldSeats(SHOW, "c-1", ("A-1-1", "A-1-2"), None)
    assert claim == IdempotencyClaim(
        scope="checkout:c-1",
        key="k-1",
        request_hash=request_hash("POST", PATH, HoldIn.model_validate_json(BODY), "c-1"),
    )
    assert correlation_id == correlation[1].decode()
    assert recorded.status == 201
    assert recorded.sent[0]["headers"] == [
        (b"x-consistency-token", b"tok"),
        (b"content-length", b"15"),
        (b"content-type", b"application/json"),
    ]
    assert recorded.body == {"hold_id": "h"}
    assert scope["route"] is ROUTE  # the metrics and the span name the route template
    assert ROUTE.path == TEMPLATE


async def test_best_available_and_the_operator_role(recorded: Recorded) -> None:
    body = orjson.dumps({"customer_id": "c-2", "zone_id": "B", "quantity": 3, "ttl_seconds": 60})
    await _call(recorded, body, headers=((b"authorization", b"bearer unit-operator-key"),))
    [(command, claim, _)] = recorded.commands
    assert command == HoldBestAvailable(SHOW, "c-2", "B", 3, 60)
    assert claim is None  # no Idempotency-Key: nothing to bind


@pytest.mark.parametrize(
    "body",
    [
        b'{"customer_id": "c-1", "seat_ids": ["A-1-1"]',  # not JSON
        b'{"customer_id": "c-1", "seat_ids": ["A-1-1"], "extra": 1}',  # field the schema forbids
        b'{"customer_id": "c-1", "seat_ids": ["A-1-1"], "zone_id": "A", "quantity": 1}',  # both ways
        b'{"customer_id": "c 1", "seat_ids": ["A-1-1"]}',  # customer id pattern
        b'{"customer_id": "c-1", "zone_id": "A", "quantity": 1.0}',  # not an integer
        b"",
    ],
)
async def test_a_body_the_schema_refuses_reaches_the_route_intact(recorded: Recorded, body: bytes) -> None:
    await _call(recorded, body)
    assert recorded.commands == []
    assert recorded.routed == [body]


@pytest.mark.parametrize(
    ("headers", "path", "method", "content_type"),
    [
        ((), PATH, "POST", b"application/json"),  # no key: the route's 401
        (((b"authorization", b"Bearer unknown-key-123"),), PATH, "POST", b"application/json"),
        (((b"authorization", b"Bearer unit-viewer-key"),), PATH, "POST", b"application/json"),  # 403
        ((CHECKOUT, CHECKOUT), PATH, "POST", b"application/json"),  # a header given twice
        ((CHECKOUT, (b"idempotency-key", b"k" * 201)), PATH, "POST", b"application/json"),
        ((CHECKOUT, (b"idempotency-key", b"")), PATH, "POST", b"application/json"),
        ((CHECKOUT, (b"x-correlation-id", b"c" * 101)), PATH, "POST", b"application/json"),
        ((CHECKOUT,), f"{PATH}/", "POST", b"application/json"),
        ((CHECKOUT,), f"/v1/shows/{str(SHOW).upper()}/holds", "POST", b"application/json"),
        ((CHECKOUT,), "/v1/shows/not-a-uuid/holds", "POST", b"application/json"),
        ((CHECKOUT,), f"/v1/shows/{SHOW}/holds/x", "POST", b"application/json"),
        ((CHECKOUT,), PATH, "PUT", b"application/json"),
        ((CHECKOUT,), PATH, "POST", b"text/plain"),
        ((CHECKOUT,), PATH, "POST", None),
    ],
)
async def test_requests_it_is_not_sure_of_go_to_the_route(
    recorded: Recorded,
    headers: tuple[tuple[bytes, bytes], ...],
    path: str,
    method: str,
    content_type: bytes | None,
) -> None:
    await _call(recorded, headers=headers, path=path, method=method, content_type=content_type)
    assert recorded.commands == []
    assert recorded.routed == [BODY]
    assert recorded.sent == []


async def test_a_replayed_answer_says_so(recorded: Recorded) -> None:
    recorded.answer = CommandAnswer(
        409, b'{"error":{}}', {"X-Consistency-Token": "t", "Idempotent-Replayed": "true"}
    )
    await _call(recorded, headers=(CHECKOUT, (b"idempotency-key", b"k")))
    assert recorded.status == 409
    assert recorded.headers[b"idempotent-replayed"] == b"true"


async def test_an_unreachable_database_is_503_with_retry_after(recorded: Recorded) -> None:
    recorded.answer = database_unavailable()
    await _call(recorded)
    assert recorded.status == 503
    assert recorded.headers[b"retry-after"] == b"2"
    assert recorded.body["error"]["code"] == "database_unavailable"


async def test_a_value_the_database_cannot_store_is_422(recorded: Recorded) -> None:
    recorded.answer = sa_exc.DataError("INSERT", {}, Exception("out of range"))
    await _call(recorded)
    assert recorded.status == 422
    assert recorded.body["error"]["code"] == "invalid_value"


async def test_an_unexpected_failure_propagates_to_the_last_line_of_defence(recorded: Recorded) -> None:
    recorded.answer = RuntimeError("boom")
    with pytest.raises(RuntimeError, match="boom"):
        await _call(recorded)
    assert recorded.sent == []


async def test_a_body_over_the_limit_while_streaming_is_413(recorded: Recorded) -> None:
    scope = await _call(recorded, too_large=True)
    assert scope["route"] is ROUTE  # counted under the route, as the router matched it before the body
    assert recorded.commands == []
    assert recorded.routed == []
    assert recorded.status == 413
    assert recorded.body == {
        "error": {"code": "payload_too_large", "message": "bodies are limited to 10 bytes"}
    }


async def test_a_client_that_leaves_before_its_body_is_counted_under_the_route(recorded: Recorded) -> None:
    scope = await _call(recorded, disconnect=True)
    assert recorded.commands == []
    assert recorded.routed == []
    assert recorded.sent == []
    assert scope["route"] is ROUTE
