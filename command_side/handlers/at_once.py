"""What the two one-statement holds share (``hold_at_once``, ``best_at_once``).

Both are one attempt (``at_once``) around a write-model function of their own
(``HoldStatement``). Both leave to the usual handler a hold it refuses at
sight, encode the hold's one event and answer the same way (``hold_call``),
pass the write model's functions the same facts of the hold and of that event
(as scalars: psycopg adapts arrays at a cost), and answer a key that was
already claimed the same way: its stored answer, or 422
``idempotency_key_reused`` for another request.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncConnection

from command_side.adapters import direct, outbox
from command_side.adapters.customer_seats import LOCK_SPACE
from command_side.adapters.idempotency import StoredResponse
from command_side.adapters.outbox import Encoded
from command_side.domain.commands import HoldBestAvailable, HoldSeats
from command_side.domain.errors import DomainError
from command_side.domain.holds import HoldPolicy
from command_side.handlers.holds import hold_body
from command_side.handlers.runner import (
    LEFT_TO_USUAL,
    NOT_STORED,
    CommandContext,
    CommandResult,
    Idempotency,
    LeftToUsual,
    OneStatement,
    replay,
    reused_key,
)
from contracts import ConsistencyToken, SeatsHeld


@dataclass(frozen=True, slots=True)
class HoldStatement:
    """What one write-model function of a one-statement hold needs beyond what both share.

    ``call`` selects ``outcome, last_seq, stored_hash, stored_status, body`` (``body``: the
    stored answer of a claimed key, or the function's own answer); ``seats`` checks the
    command's seats at sight (raising ``DomainError``) and gives the seat ids to encode and how
    many seats the hold takes; ``params`` adds the function's own parameters; ``held`` is the
    answer of a hold taken, from the encoded answer, the hold's seq and ``body``.
    """

    call: str
    seats: Callable[[], tuple[tuple[str, ...], int]]
    params: Callable[[tuple[str, ...], Encoded], dict[str, Any]]
    held: Callable[[Encoded, int, bytes], bytes]


def at_once(
    command: HoldSeats | HoldBestAvailable, policy: HoldPolicy, statement: HoldStatement
) -> OneStatement:
    """The one-statement attempt of ``command``: None for a hold the usual handler refuses at sight (a
    bad TTL, seat list or quantity; more seats than the customer's limit), so that the handler
    decides and words that refusal, as it always did; else one call of ``statement``, whose
    outcome is the hold taken, the answer of a claimed key, or the hold left to the usual path."""

    async def attempt(
        conn: AsyncConnection, context: CommandContext, idempotency: Idempotency | None
    ) -> CommandResult | LeftToUsual | None:
        try:
            ttl = policy.ttl(command.ttl_seconds)
            seat_ids, count = statement.seats()
        except DomainError:
            return None
        limit = policy.max_seats_per_customer
        if limit and count > limit:
            return None
        encoded, params = hold_call(
            command.show_id,
            command.customer_id,
            seat_ids,
            ttl=ttl,
            limit=limit,
            context=context,
            idempotency=idempotency,
        )
        params |= statement.params(seat_ids, encoded)
        ((outcome, last_seq, stored_hash, stored_status, body),) = await direct.alone(
            conn, statement.call, params
        )
        if outcome == "held":
            answer = statement.held(encoded, last_seq, body)
            return CommandResult("created", answer, ConsistencyToken(command.show_id, last_seq).encode())
        if outcome == "claimed":
            return claimed_answer(idempotency, stored_hash, stored_status, body)
        return LEFT_TO_USUAL

    return attempt


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
