"""Appending events to the outbox, and the idempotency records of commands.

Both write inside the command's own transaction (the caller's connection), so
the state change, its events and its stored answer commit or roll back together.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from command_side.adapters import direct
from contracts import EventPayload, encode_event, new_envelope

_BUMP_STREAM = (
    "UPDATE write_model.shows SET stream_version = stream_version + :n "
    "WHERE show_id = :show_id RETURNING stream_version"
)
_INSERT_EVENTS = (
    "INSERT INTO write_model.outbox (event_id, show_id, seq, event_type, body, occurred_at) "
    "SELECT e, :show_id, s, t, b, :occurred_at FROM unnest("
    "CAST(:event_ids AS uuid[]), CAST(:seqs AS bigint[]), CAST(:types AS text[]), CAST(:bodies AS bytea[])"
    ") AS u(e, s, t, b)"
)
_STORE_RESPONSE = (
    "UPDATE write_model.idempotency_keys SET status_code = :status_code, response = :response "
    "WHERE scope = :scope AND idempotency_key = :idempotency_key"
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
class IdempotencyClaim:
    """An ``Idempotency-Key`` in its caller's scope, with the hash of the request it came with."""

    scope: str
    key: str
    request_hash: bytes


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status_code: int
    body: bytes


@dataclass(frozen=True, slots=True)
class PendingEvents:
    """Events of one show about to be appended, with the position they will take."""

    show_id: UUID
    seqs: tuple[int, ...]
    event_ids: tuple[UUID, ...]
    types: tuple[str, ...]
    bodies: tuple[bytes, ...]
    occurred_at: datetime

    @property
    def last_seq(self) -> int:
        return self.seqs[-1]


class ReusedKeyError(Exception):
    """The idempotency key was first used with a different request."""


_CLAIM = (
    "INSERT INTO write_model.idempotency_keys (scope, idempotency_key, request_hash) "
    "VALUES (:scope, :idempotency_key, :request_hash) ON CONFLICT DO NOTHING RETURNING 1"
)


def deferred_claim(claim: IdempotencyClaim) -> direct.Deferred:
    """The claim of ``claim``'s key, to ride with the command's first statement (``settle_claim``)."""
    return direct.Deferred(
        _CLAIM, {"scope": claim.scope, "idempotency_key": claim.key, "request_hash": claim.request_hash}
    )


async def settle_claim(
    conn: AsyncConnection, claim: IdempotencyClaim, deferred: direct.Deferred
) -> StoredResponse | None:
    """None if this transaction holds the key now, else the answer of the command that claimed it.

    The claim is sent with the command's first pipelined statement (or now, if none
    took it along), and settled before the command writes anything. A concurrent
    duplicate blocks on the primary key until the first transaction ends: after its
    commit it reads the stored answer; after its rollback it claims the key itself.
    Raises ReusedKeyError for the same key with another body.
    """
    if await direct.send_if_pending(conn, deferred):
        return None
    row = (
        await conn.execute(
            text(
                "SELECT request_hash, status_code, response FROM write_model.idempotency_keys "
                "WHERE scope = :scope AND idempotency_key = :idempotency_key"
            ),
            {"scope": claim.scope, "idempotency_key": claim.key},
        )
    ).one()
    if bytes(row.request_hash) != claim.request_hash:
        raise ReusedKeyError
    return StoredResponse(int(row.status_code), bytes(row.response))


async def reserve_seqs(
    conn: AsyncConnection,
    show_id: UUID,
    payloads: Sequence[EventPayload],
    *,
    correlation_id: UUID,
    causation_id: UUID,
    occurred_at: datetime,
    writes: Sequence[Write] = (),
) -> PendingEvents:
    """Take the next seqs of the show's stream and encode the events at them.

    Locks the show row until the transaction ends: a later command on the show
    waits, so it takes higher seqs and commits after this one (seq order is
    commit order per show, gapless). Call it as late as possible in a command;
    the handler's last ``writes`` run in the same statement, saving round trips.

    Why this order is safe and short: every command locks its seat rows (and
    through them its hold or order) first and the show row last, so no lock
    cycle can form through the show row; and the show row is held only for this
    statement, the outbox insert and the commit (two round trips), which is what
    bounds the commands per second of one show, not the seat work before it.
    """
    statement, params = merged(writes, _BUMP_STREAM, {"n": len(payloads), "show_id": show_id})
    last = (await conn.execute(text(statement), params)).scalar_one()
    first = int(last) - len(payloads) + 1
    envelopes = [
        new_envelope(
            p,
            stream_id=show_id,
            seq=first + i,
            correlation_id=correlation_id,
            causation_id=causation_id,
            occurred_at=occurred_at,
        )
        for i, p in enumerate(payloads)
    ]
    return PendingEvents(
        show_id=show_id,
        seqs=tuple(e.seq for e in envelopes),
        event_ids=tuple(e.event_id for e in envelopes),
        types=tuple(e.type for e in envelopes),
        bodies=tuple(encode_event(e) for e in envelopes),
        occurred_at=occurred_at,
    )


async def write_events_and_response(
    conn: AsyncConnection,
    events: PendingEvents | None,
    claim: IdempotencyClaim | None,
    response: StoredResponse,
) -> None:
    """Insert the outbox rows and store the answer under the claimed key, in one round trip."""
    params: dict[str, object] = {}
    parts: list[str] = []
    if claim is not None:
        parts.append(_STORE_RESPONSE)
        params |= {
            "scope": claim.scope,
            "idempotency_key": claim.key,
            "status_code": response.status_code,
            "response": response.body,
        }
    if events is not None:
        parts.append(_INSERT_EVENTS)
        params |= {
            "show_id": events.show_id,
            "occurred_at": events.occurred_at,
            "event_ids": list(events.event_ids),
            "seqs": list(events.seqs),
            "types": list(events.types),
            "bodies": list(events.bodies),
        }
    if not parts:
        return
    statement = parts[0] if len(parts) == 1 else f"WITH stored AS ({parts[0]}) {parts[1]}"
    await conn.execute(text(statement), params)
