"""The outbox: the one way a command appends its events (and stores its answer).

``append_and_commit`` runs a command's last writes, takes the show's next
stream positions, inserts the outbox rows, stores the answer under the
command's idempotency key and commits, in one statement pipelined with COMMIT.

Guarantees:
- per-show gapless seqs in commit order: the events take ``stream_version + 1
  ..`` in event order, by an ``UPDATE`` of the show row that locks it until
  COMMIT, so a later command on the show waits, takes higher seqs and commits
  after this one; a statement that fails takes no seq (it rolls back whole);
- short show lock, no lock cycle: the bump is the command's last statement, so
  the show row is locked for one round trip (what bounds the commands per
  second of one show, not the seat work before it); every command locks its
  seat rows (and through them its hold or order) first and the show row last;
- atomic with the command: the writes, the outbox rows and the stored answer
  run in the caller's transaction and commit together or not at all;
- idempotent answer: under a claimed key (``adapters.idempotency``) the answer
  stored is byte for byte the one returned, consistency token included;
- exact bytes: the outbox body and the answer are exactly what
  ``contracts.encode_event`` and ``orjson.dumps`` produce at the real seq.

How: the seq is only known once the show row is locked, and the event bytes
and the answer (its consistency token) contain it. Rather than bump, return to
Python to encode, and insert (two round trips with the show row locked),
events and answer are encoded once with a placeholder seq and cut at the seq's
*position* (never by searching for its digits, which legal text may contain);
the statement that bumps ``stream_version`` splices the real seqs into the bytes.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from command_side.adapters import direct
from command_side.adapters.idempotency import IdempotencyClaim
from contracts import ConsistencyToken, EventPayload, encode_event, new_envelope
from infra.telemetry import traceparent_of, tracing

# Any valid seq works: the cut is made at the seq field, whose place in the bytes is fixed.
PLACEHOLDER_SEQ = 987_654_321_987_654_321
_PLACEHOLDER = str(PLACEHOLDER_SEQ).encode()
# The envelope's fields before ``seq`` (event_id, type, version, stream_id) hold no free text,
# and JSON escapes every quote inside a string, so this is the first match and the seq itself.
_SEQ_FIELD = b',"seq":' + _PLACEHOLDER + b","

_BUMP = (
    "UPDATE write_model.shows SET stream_version = stream_version + :n "
    "WHERE show_id = :show_id RETURNING stream_version - :n AS base"
)
_STORE = (
    "UPDATE write_model.idempotency_keys SET status_code = :status_code, response = "
    ":answer_head || convert_to(CAST((SELECT base FROM bump) + :n AS text), 'UTF8') || :answer_tail "
    "WHERE scope = :scope AND idempotency_key = :idempotency_key"
)
_INSERT = (
    "INSERT INTO write_model.outbox (event_id, show_id, seq, event_type, body, occurred_at, traceparent) "
    "SELECT u.e, :show_id, bump.base + u.i, u.t, "
    "u.h || convert_to(CAST(bump.base + u.i AS text), 'UTF8') || u.tl, :occurred_at, "
    "CAST(:traceparent AS text) "
    "FROM bump, unnest(CAST(:event_ids AS uuid[]), CAST(:types AS text[]), CAST(:heads AS bytea[]), "
    "CAST(:tails AS bytea[])) WITH ORDINALITY AS u(e, t, h, tl, i) RETURNING seq"
)


@dataclass(frozen=True, slots=True)
class Write:
    """A data-modifying statement a handler leaves to the runner, to ride along with the stream bump.

    Its parameter names may repeat another write's only with the same value.
    """

    sql: str
    params: dict[str, Any]


def merged(writes: Sequence[Write], last: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """One statement running ``writes`` as CTEs before ``last`` (one round trip instead of several)."""
    merged_params = dict(params)
    for write in writes:
        for name, value in write.params.items():
            if merged_params.setdefault(name, value) != value:
                raise ValueError(f"parameter {name!r} has two values in one merged statement")
    if not writes:
        return last, merged_params
    ctes = ", ".join(f"w{i} AS ({w.sql})" for i, w in enumerate(writes))
    return f"WITH {ctes} {last}", merged_params


@dataclass(frozen=True, slots=True)
class Appended:
    """The last seq the command took and the exact answer bytes (as stored under its key)."""

    last_seq: int
    body: bytes
    token: str


def split_event_at_seq(encoded: bytes) -> tuple[bytes, bytes]:
    """An event encoded at ``PLACEHOLDER_SEQ``, cut around the digits of its envelope's ``seq``."""
    start = encoded.find(_SEQ_FIELD)
    if start < 0:
        raise ValueError("the encoded event has no placeholder seq field")
    cut = start + len(b',"seq":')
    return encoded[:cut], encoded[cut + len(_PLACEHOLDER) :]


def split_answer_at_seq(encoded: bytes) -> tuple[bytes, bytes]:
    """An answer whose last field is a consistency token at ``PLACEHOLDER_SEQ``, cut around that seq.

    The token is the last value, so its seq is the last digits before the closing ``"}``.
    """
    ending = _PLACEHOLDER + b'"}'
    if not encoded.endswith(ending):
        raise ValueError("the answer does not end with a placeholder consistency token")
    return encoded[: -len(ending)], b'"}'


@dataclass(frozen=True, slots=True)
class Encoded:
    """A command's events and answer encoded at ``PLACEHOLDER_SEQ``, cut around the seq (the module
    docstring's "how"): what a statement splices the real seqs into, as its parameters."""

    params: dict[str, Any]
    answer_head: bytes
    answer_tail: bytes

    def answer(self, last_seq: int) -> bytes:
        """The answer's exact bytes at the command's last seq (as stored under its key)."""
        return self.answer_head + str(last_seq).encode() + self.answer_tail


def encode_append(  # noqa: PLR0917 - the facts of one append
    show_id: UUID,
    payloads: Sequence[EventPayload],
    body: dict[str, Any],
    correlation_id: UUID,
    causation_id: UUID,
    occurred_at: datetime,
) -> Encoded:
    """The events of ``payloads`` on ``show_id``'s stream and the answer ``body`` plus its consistency
    token, encoded once; ``params`` name the outbox rows' columns as ``_INSERT`` takes them."""
    envelopes = [
        new_envelope(
            p,
            stream_id=show_id,
            seq=PLACEHOLDER_SEQ,
            correlation_id=correlation_id,
            causation_id=causation_id,
            occurred_at=occurred_at,
        )
        for p in payloads
    ]
    cuts = [split_event_at_seq(encode_event(e)) for e in envelopes]
    token = ConsistencyToken(show_id, PLACEHOLDER_SEQ).encode()
    # the token is added last (a body's own "consistency_token" is replaced, and goes last too)
    answer_doc = {k: v for k, v in body.items() if k != "consistency_token"} | {"consistency_token": token}
    answer_head, answer_tail = split_answer_at_seq(orjson.dumps(answer_doc))
    params: dict[str, Any] = {
        "n": len(payloads),
        "show_id": show_id,
        "occurred_at": occurred_at,
        "event_ids": [e.event_id for e in envelopes],
        "types": [e.type for e in envelopes],
        "heads": [c[0] for c in cuts],
        "tails": [c[1] for c in cuts],
        # the command's trace context, for the relay's publish span (NULL when not tracing)
        "traceparent": traceparent_of() if tracing.on else None,
    }
    return Encoded(params, answer_head, answer_tail)


async def append_and_commit(
    conn: AsyncConnection,
    show_id: UUID,
    payloads: Sequence[EventPayload],
    *,
    writes: Sequence[Write],
    claim: IdempotencyClaim | None,
    status_code: int,
    body: dict[str, Any],
    correlation_id: UUID,
    causation_id: UUID,
    occurred_at: datetime,
) -> Appended:
    """Run ``writes``, take the show's next seqs, insert the outbox rows, store the answer and commit.

    One round trip, with the guarantees of the module docstring. Call it once,
    as the command's last statement, after every check passed (the claim, if
    any, already settled). If the statement fails nothing is committed (the
    caller rolls back) and no seq is taken. LookupError if the show has no row:
    callers check the show first, as its writes would have committed.

    The answer is ``body`` plus ``consistency_token``; ``writes`` must not use
    this statement's parameter names (``merged`` refuses a clash of values).
    """
    encoded = encode_append(show_id, payloads, body, correlation_id, causation_id, occurred_at)
    params = dict(encoded.params)
    ctes = [f"w{i} AS ({w.sql})" for i, w in enumerate(writes)] + [f"bump AS ({_BUMP})"]
    if claim is not None:
        ctes.append(f"stored AS ({_STORE})")
        params |= {
            "status_code": status_code,
            "answer_head": encoded.answer_head,
            "answer_tail": encoded.answer_tail,
            "scope": claim.scope,
            "idempotency_key": claim.key,
        }
    _, params = merged(writes, "", params)  # only to merge (and check) the writes' parameters
    statement = f"WITH {', '.join(ctes)} {_INSERT}"
    # COMMIT rides along: the show row is locked for this one round trip
    seqs = [row[0] for row in await direct.execute(conn, statement, params, commit=True)]
    if len(seqs) != len(payloads):
        raise LookupError(f"show {show_id} has no stream to append to")
    last = int(max(seqs))
    return Appended(last, encoded.answer(last), ConsistencyToken(show_id, last).encode())
