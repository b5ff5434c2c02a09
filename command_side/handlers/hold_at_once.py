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

from typing import Any

from command_side.adapters.outbox import Encoded
from command_side.domain.commands import HoldSeats
from command_side.domain.holds import HoldPolicy, check_seat_ids
from command_side.handlers.at_once import HoldStatement, at_once
from command_side.handlers.runner import OneStatement

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

    def seats() -> tuple[tuple[str, ...], int]:
        seat_ids = check_seat_ids(command.seat_ids)
        return seat_ids, len(seat_ids)

    def params(seat_ids: tuple[str, ...], encoded: Encoded) -> dict[str, Any]:
        return {  # the one event as scalars: psycopg adapts arrays at a cost
            "tail": encoded.params["tails"][0],
            "seat_ids": list(seat_ids),
            "answer_head": encoded.answer_head,
            "answer_tail": encoded.answer_tail,
        }

    def held(encoded: Encoded, last_seq: int, _: bytes) -> bytes:
        return encoded.answer(last_seq)  # the function stores the same bytes under the key

    return at_once(command, policy, HoldStatement(_CALL, seats, params, held))
