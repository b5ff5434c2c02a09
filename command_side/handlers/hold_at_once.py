"""An explicit hold as one statement in one round trip, whenever nothing stands in its way.

Most holds of an on-sale name free seats of a customer within the limit. Such a
hold is one call of ``write_model.hold_seats_at_once`` (migration 0006), sent as
a transaction of its own (``direct.alone``): no ``BEGIN``, no ``COMMIT``, one
Sync. The function claims the Idempotency-Key, takes the customer's advisory
lock and counts their seats after it, locks the seats in seat id order, and only
when every seat is available and the limit holds, writes the hold and appends
its event under the show's row lock, storing the answer under the key. So the
guarantees are the usual path's (``handlers.holds``, ``handlers.runner``,
``adapters.outbox``, ``adapters.customer_seats``):

- idempotent: a key already claimed gets its stored answer back (a racing
  duplicate waits on the key's row first), or 422 ``idempotency_key_reused``
  for another request; nothing else is done;
- no double sale, the customer's limit, lock order claim -> customer lock ->
  seats -> show row, gapless per-show seqs in commit order, the outbox rows'
  exact bytes (encoded by ``outbox.encode_append``, as every append is) and the
  answer's bytes, stored and returned alike;
- the same answers: anything else (a seat unknown, taken, or held by a lapsed
  hold; the limit; an unknown show; a bad TTL or seat list) is left to the usual
  handler, the function having written nothing (it deletes its own claim). That
  costs such a hold one round trip more, and decides and words every refusal as
  before.
"""

from sqlalchemy.ext.asyncio import AsyncConnection

from command_side.adapters import direct
from command_side.domain.commands import HoldSeats
from command_side.domain.holds import HoldPolicy, check_seat_ids
from command_side.handlers.at_once import claimed_answer, hold_call, hold_terms
from command_side.handlers.runner import (
    LEFT_TO_USUAL,
    CommandContext,
    CommandResult,
    Idempotency,
    LeftToUsual,
    OneStatement,
)
from contracts import ConsistencyToken

_CALL = (
    "SELECT outcome, last_seq, stored_hash, stored_status, stored_response "
    "FROM write_model.hold_seats_at_once("
    "CAST(:scope AS text), CAST(:idempotency_key AS text), CAST(:request_hash AS bytea), "
    "CAST(:show_id AS uuid), CAST(:customer_id AS text), CAST(:seat_ids AS text[]), "
    "CAST(:now AS timestamptz), CAST(:limit AS integer), CAST(:lock_space AS integer), "
    "CAST(:hold_id AS uuid), CAST(:expires_at AS timestamptz), CAST(:event_id AS uuid), "
    "CAST(:event_type AS text), CAST(:head AS bytea), CAST(:tail AS bytea), CAST(:traceparent AS text), "
    "CAST(:status_code AS integer), CAST(:answer_head AS bytea), CAST(:answer_tail AS bytea))"
)


def hold_seats_at_once(command: HoldSeats, policy: HoldPolicy) -> OneStatement:
    """``handlers.holds.hold_seats`` in one statement when the seats are free (see the module docstring)."""

    async def attempt(
        conn: AsyncConnection, context: CommandContext, idempotency: Idempotency | None
    ) -> CommandResult | LeftToUsual | None:
        terms = hold_terms(policy, command.ttl_seconds, lambda: check_seat_ids(command.seat_ids), len)
        if terms is None:
            return None  # the handler refuses it, as it always did
        ttl, seat_ids = terms
        show_id = command.show_id
        encoded, params = hold_call(
            show_id,
            command.customer_id,
            seat_ids,
            ttl=ttl,
            limit=policy.max_seats_per_customer,
            context=context,
            idempotency=idempotency,
        )
        params |= {  # the one event as scalars: psycopg adapts arrays at a cost
            "tail": encoded.params["tails"][0],
            "seat_ids": list(seat_ids),
            "answer_head": encoded.answer_head,
            "answer_tail": encoded.answer_tail,
        }
        ((outcome, last_seq, stored_hash, stored_status, stored_response),) = await direct.alone(
            conn, _CALL, params
        )
        if outcome == "held":
            return CommandResult(
                "created", encoded.answer(last_seq), ConsistencyToken(show_id, last_seq).encode()
            )
        if outcome == "claimed":
            return claimed_answer(idempotency, stored_hash, stored_status, stored_response)
        return LEFT_TO_USUAL

    return attempt
