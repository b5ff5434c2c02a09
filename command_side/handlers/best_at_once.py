"""A best-available hold as one statement in one round trip, whenever nothing stands in its way.

Most best-available holds of an on-sale find the best run of the zone's front
rows free and within the customer's limit. Such a hold is one call of
``write_model.hold_best_available_at_once`` (migration 0008), sent as a
transaction of its own (``direct.alone``), like the explicit hold of
``handlers.hold_at_once``, with the same guarantees (claim -> customer lock ->
seats -> show row, gapless per-show seqs in commit order, the outbox row's and
the answer's exact bytes, idempotent replays):

- the same pick: the function picks as ``handlers.best_available``'s rounds do
  on the same first page of free seats (``FIRST_PAGE``): the frontmost row with
  ``quantity`` adjacent free seats, its most central run
  (``domain.seating.adjacent_runs``), locked with ``SKIP LOCKED``, so it never
  waits for a seat another command locks (it does wait, as every hold does, on
  a racing duplicate's claim, the customer's lock and the show's row); when
  another command has it, one at random of the best 2, 4, 8... runs of the page
  left, passing over runs with a seat of a lapsed hold (migration 0009), so a
  hot on-sale's concurrent holds each end in one statement;
- the same answers: anything else (no run left in the first page, a best run
  with a seat held by a lapsed hold, the limit, an unknown show or zone, a bad
  TTL or quantity) is left to the usual handler, the function having written nothing
  (it deletes its own claim). The usual handler then picks again, spreading
  over the next best runs, scattering seats where no row has a run, and words
  every refusal as before. The command API counts these
  (``boxoffice_one_statement_fallbacks_total``).

The seat ids are only known in PostgreSQL, so the event and the answer are
encoded at a placeholder seat list and cut around it as well as around the seq
(``cut_at_seats``); the function splices in the JSON array of the seats it holds.
"""

from typing import Any

from command_side.adapters.outbox import Encoded
from command_side.domain.commands import HoldBestAvailable
from command_side.domain.holds import HoldPolicy, check_quantity
from command_side.handlers.at_once import HoldStatement, at_once
from command_side.handlers.best_available import FIRST_PAGE
from command_side.handlers.runner import OneStatement

# A seat id of the layout's characters: the array it makes has one place in the event and answer.
PLACEHOLDER_SEATS = ("PLACEHOLDER-SEAT-1",)
_SEATS = b'"seat_ids":'
_PLACEHOLDER_ARRAY = b'["PLACEHOLDER-SEAT-1"]'

_CALL = (
    "SELECT outcome, last_seq, stored_hash, stored_status, answer "
    "FROM write_model.hold_best_available_at_once("
    "CAST(:scope AS text), CAST(:idempotency_key AS text), CAST(:request_hash AS bytea), "
    "CAST(:show_id AS uuid), CAST(:customer_id AS text), CAST(:zone_id AS text), "
    "CAST(:quantity AS integer), CAST(:page AS integer), "
    "CAST(:now AS timestamptz), CAST(:limit AS integer), CAST(:lock_space AS integer), "
    "CAST(:hold_id AS uuid), CAST(:expires_at AS timestamptz), CAST(:event_id AS uuid), "
    "CAST(:event_type AS text), CAST(:head AS bytea), CAST(:middle AS bytea), CAST(:tail AS bytea), "
    "CAST(:traceparent AS text), CAST(:status_code AS integer), "
    "CAST(:answer_head AS bytea), CAST(:answer_middle AS bytea), CAST(:answer_tail AS bytea))"
)


def cut_at_seats(encoded: bytes) -> tuple[bytes, bytes]:
    """Bytes holding the placeholder seat list as their one ``"seat_ids"`` value, cut around that list.

    JSON escapes every quote inside a string, so ``"seat_ids":`` outside of one is the first match.
    """
    start = encoded.find(_SEATS)
    if start < 0 or not encoded.startswith(_PLACEHOLDER_ARRAY, start + len(_SEATS)):
        raise ValueError("the encoded bytes have no placeholder seat list")
    cut = start + len(_SEATS)
    return encoded[:cut], encoded[cut + len(_PLACEHOLDER_ARRAY) :]


def hold_best_available_at_once(command: HoldBestAvailable, policy: HoldPolicy) -> OneStatement:
    """``handlers.holds.hold_best_available`` in one statement when its first pick is free (see above)."""

    def seats() -> tuple[tuple[str, ...], int]:
        return PLACEHOLDER_SEATS, check_quantity(command.quantity)

    def params(_: tuple[str, ...], encoded: Encoded) -> dict[str, Any]:
        middle, tail = cut_at_seats(encoded.params["tails"][0])  # the event: head, seq, middle, seats, tail
        answer_head, answer_middle = cut_at_seats(encoded.answer_head)  # answer: head, seats, middle, seq
        return {
            "middle": middle,
            "tail": tail,
            "zone_id": command.zone_id,
            "quantity": command.quantity,
            "page": FIRST_PAGE,
            "answer_head": answer_head,
            "answer_middle": answer_middle,
            "answer_tail": encoded.answer_tail,
        }

    def held(_: Encoded, __: int, answer: bytes) -> bytes:
        return bytes(answer)  # spliced by the function, which alone knows the seats it held

    return at_once(command, policy, HoldStatement(_CALL, seats, params, held))
