"""The idempotency records of commands: claiming a key, replaying or storing its answer.

Each runs inside the command's own transaction (the caller's connection), so
the state change, its events and its stored answer commit or roll back together.
"""

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from command_side.adapters import direct

_STORE_RESPONSE = (
    "UPDATE write_model.idempotency_keys SET status_code = :status_code, response = :response "
    "WHERE scope = :scope AND idempotency_key = :idempotency_key"
)


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


async def store_answer(conn: AsyncConnection, claim: IdempotencyClaim | None, answer: StoredResponse) -> None:
    """Store ``answer`` under the claimed key, in the command's transaction (no claim: nothing to do).

    For a command that appends no events; one that does stores its answer in
    the append itself (``adapters.outbox.append_and_commit``).
    """
    if claim is None:
        return
    params = {
        "scope": claim.scope,
        "idempotency_key": claim.key,
        "status_code": answer.status_code,
        "response": answer.body,
    }
    await conn.execute(text(_STORE_RESPONSE), params)
