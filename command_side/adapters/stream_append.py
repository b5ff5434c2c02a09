"""Appending a command's events, last writes and stored answer in one statement.

The show's stream position is only known once its row is locked, and the
event bytes and the answer (its consistency token) contain it. Rather than
bump, return to Python to encode, and insert (two round trips with the show
row locked), events and answer are encoded once around a placeholder seq and
split there; the statement that bumps ``stream_version`` splices the real seqs
into the bytes, and COMMIT is pipelined with it. The show row is then locked
for one round trip, which is what bounds the commands per second of one show.

Guarantees: the bytes stored (outbox body, idempotent answer) are exactly what
``contracts.encode_event`` and ``orjson.dumps`` produce for the real seq; the
seqs are ``stream_version + 1 ..`` in event order (gapless, commit order per
show, see ``event_store.reserve_seqs``); everything runs in the caller's
transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from command_side.adapters import direct
from command_side.adapters.event_store import IdempotencyClaim, Write, merged
from contracts import ConsistencyToken, EventPayload, encode_event, new_envelope

# Larger than any real seq and unlikely elsewhere; a split that does not find it exactly once fails loudly.
PLACEHOLDER_SEQ = 987_654_321_987_654_321
_PLACEHOLDER = str(PLACEHOLDER_SEQ).encode()

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
    "INSERT INTO write_model.outbox (event_id, show_id, seq, event_type, body, occurred_at) "
    "SELECT u.e, :show_id, bump.base + u.i, u.t, "
    "u.h || convert_to(CAST(bump.base + u.i AS text), 'UTF8') || u.tl, :occurred_at "
    "FROM bump, unnest(CAST(:event_ids AS uuid[]), CAST(:types AS text[]), CAST(:heads AS bytea[]), "
    "CAST(:tails AS bytea[])) WITH ORDINALITY AS u(e, t, h, tl, i) RETURNING seq"
)


@dataclass(frozen=True, slots=True)
class Appended:
    """The last seq the command took and the exact answer bytes (as stored under its key)."""

    last_seq: int
    body: bytes
    token: str


def split_at_placeholder(encoded: bytes) -> tuple[bytes, bytes]:
    """``encoded`` cut around its single placeholder seq."""
    parts = encoded.split(_PLACEHOLDER)
    if len(parts) != 2:
        raise ValueError("the placeholder seq must occur exactly once in encoded bytes")
    return parts[0], parts[1]


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

    One round trip. On an error nothing is committed (the caller rolls back).

    The answer is ``body`` plus ``consistency_token``; ``writes`` must not use
    this statement's parameter names (``merged`` refuses a clash of values).
    """
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
    cuts = [split_at_placeholder(encode_event(e)) for e in envelopes]
    answer_head, answer_tail = split_at_placeholder(
        orjson.dumps({**body, "consistency_token": ConsistencyToken(show_id, PLACEHOLDER_SEQ).encode()})
    )
    params: dict[str, Any] = {
        "n": len(payloads),
        "show_id": show_id,
        "occurred_at": occurred_at,
        "event_ids": [e.event_id for e in envelopes],
        "types": [e.type for e in envelopes],
        "heads": [c[0] for c in cuts],
        "tails": [c[1] for c in cuts],
    }
    ctes = [f"w{i} AS ({w.sql})" for i, w in enumerate(writes)] + [f"bump AS ({_BUMP})"]
    if claim is not None:
        ctes.append(f"stored AS ({_STORE})")
        params |= {
            "status_code": status_code,
            "answer_head": answer_head,
            "answer_tail": answer_tail,
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
    answer = answer_head + str(last).encode() + answer_tail
    return Appended(last, answer, ConsistencyToken(show_id, last).encode())
