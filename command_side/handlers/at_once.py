"""What the two one-statement holds share (``hold_at_once``, ``best_at_once``).

Both leave to the usual handler a hold it refuses at sight (``hold_terms``),
encode the hold's one event and answer the same way (``hold_call``), pass
the write model's functions the same facts of the hold and of that event (as
scalars: psycopg adapts arrays at a cost), and answer a key that was already
claimed the same way: its stored answer, or 422 ``idempotency_key_reused`` for
another request.
"""

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID, uuid4

from command_side.adapters import outbox
from command_side.adapters.customer_seats import LOCK_SPACE
from command_side.adapters.idempotency import StoredResponse
from command_side.adapters.outbox import Encoded
from command_side.domain.errors import DomainError
from command_side.domain.holds import HoldPolicy
from command_side.handlers.holds import hold_body
from command_side.handlers.runner import (
    NOT_STORED,
    CommandContext,
    CommandResult,
    Idempotency,
    replay,
    reused_key,
)
from contracts import SeatsHeld

Seats = TypeVar("Seats")


def hold_terms(
    policy: HoldPolicy, ttl_seconds: int | None, check: Callable[[], Seats], count: Callable[[Seats], int]
) -> tuple[int, Seats] | None:
    """The TTL and the checked seats (ids or quantity) of a hold the usual handler would not refuse
    at sight; None for one it refuses (a bad TTL, seat list or quantity; more seats than the
    customer's limit), so that the handler decides and words that refusal, as it always did."""
    try:
        ttl = policy.ttl(ttl_seconds)
        seats = check()
    except DomainError:
        return None
    limit = policy.max_seats_per_customer
    if limit and count(seats) > limit:
        return None
    return ttl, seats


def hold_call(
    show_id: UUID,
    customer_id: str,
    seat_ids: Sequence[str],
    *,
    ttl: int,
    limit: int,
    context: CommandContext,
    idempotency: Idempotency | None,
) -> tuple[Encoded, dict[str, Any]]:
    """A new hold of ``seat_ids`` for ``ttl`` seconds: its ``SeatsHeld`` and answer encoded as the usual
    path encodes them (``outbox.encode_append``), and the parameters both functions take."""
    hold_id = uuid4()
    expires_at = context.now + timedelta(seconds=ttl)
    event = SeatsHeld(
        hold_id=hold_id, customer_id=customer_id, seat_ids=tuple(seat_ids), expires_at=expires_at
    )
    body = hold_body(hold_id, show_id, tuple(seat_ids), expires_at)
    encoded = outbox.encode_append(
        show_id, (event,), body, context.correlation_id, context.causation_id, context.now
    )
    params = hold_params(
        encoded,
        idempotency,
        show_id=show_id,
        customer_id=customer_id,
        hold_id=hold_id,
        expires_at=expires_at,
        now=context.now,
        limit=limit,
    )
    return encoded, params


def hold_params(
    encoded: Encoded,
    idempotency: Idempotency | None,
    *,
    show_id: UUID,
    customer_id: str,
    hold_id: UUID,
    expires_at: datetime,
    now: datetime,
    limit: int,
) -> dict[str, Any]:
    """The parameters both functions take: the key's claim, the customer and their limit, the
    hold, and its one event's id, type, head (bytes before the seq) and trace context."""
    appended = encoded.params
    claim = idempotency.claim if idempotency is not None else None
    return {
        "show_id": show_id,
        "event_id": appended["event_ids"][0],
        "event_type": appended["types"][0],
        "head": appended["heads"][0],
        "traceparent": appended["traceparent"],
        "scope": claim.scope if claim else None,
        "idempotency_key": claim.key if claim else None,
        "request_hash": claim.request_hash if claim else None,
        "customer_id": customer_id,
        "now": now,
        "limit": limit,
        "lock_space": LOCK_SPACE,
        "hold_id": hold_id,
        "expires_at": expires_at,
        "status_code": idempotency.status("created") if idempotency else NOT_STORED,
    }


def claimed_answer(
    idempotency: Idempotency | None, stored_hash: bytes, stored_status: int, stored_response: bytes
) -> CommandResult | None:
    """The answer to a key the function found claimed: the stored one for the same request, 422
    for another; None without a key (the function never answers ``claimed`` then)."""
    if idempotency is None:
        return None
    if bytes(stored_hash) != idempotency.claim.request_hash:
        return reused_key()
    return replay(StoredResponse(int(stored_status), bytes(stored_response)))
