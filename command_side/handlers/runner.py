"""Running one command: one transaction, idempotency, seqs, outbox, stored answer.

Guarantees:
- atomic: state rows, outbox rows and the idempotency record commit together;
- idempotent: a command carrying a claimed key returns the stored bytes and
  does nothing else, also when duplicates race (they wait on the key's row);
  the claim rides with the handler's first statement and is settled before
  anything is written, so it costs no round trip of its own;
- ordered: events take their seqs last, under the show's row lock (see
  ``adapters.outbox``), so seq order is commit order per show.

Handlers answer an outcome (``created``, ``done``; a refusal's kind), never an
HTTP status: the caller gives the status of each outcome (``statuses``), which
an idempotent command needs to store its answer.

Handlers decide before they write: a DomainError is raised before any state
change, so a refused command can store its answer and commit without effect.

A command may also be tried as one statement first (``OneStatement``: a whole
explicit hold, ``handlers.hold_at_once``), a transaction of its own with the
same guarantees; when it cannot decide the command it writes nothing and the
handler runs as usual: it answers ``LEFT_TO_USUAL`` when its statement ran and
left the command, None when it did not try (a request it refuses before any SQL).

After a command's events committed, the engine's post-commit hook (see
``call_after_events_commit``) runs, outside the transaction: the command API
uses it to wake the relay. The hook cannot fail or delay the command.
"""

import logging
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Final, Literal
from uuid import UUID, uuid4

import orjson
import psycopg.errors
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from command_side.adapters import direct
from command_side.adapters.idempotency import (
    IdempotencyClaim,
    ReusedKeyError,
    StoredResponse,
    deferred_claim,
    settle_claim,
    store_answer,
)
from command_side.adapters.outbox import Write, append_and_commit, merged
from command_side.domain.errors import DomainError
from contracts import ConsistencyToken, EventPayload

log = logging.getLogger(__name__)
Done = Literal["created", "done"]
Refused = Literal["invalid", "not_found", "conflict", "forbidden"]  # DomainError.kind
Outcome = Done | Refused
Statuses = Mapping[Outcome, int]
RetryReason = Literal["deadlock", "serialization"]
_DONE: frozenset[Outcome | int] = frozenset({"created", "done"})
_REFUSED: dict[str, Refused] = {k: k for k in ("invalid", "not_found", "conflict", "forbidden")}
MAX_ATTEMPTS = 4  # deadlocks between lapsed-hold take-overs are rare; a retry resolves them


@dataclass(frozen=True, slots=True)
class CommandContext:
    now: datetime
    correlation_id: UUID
    causation_id: UUID


@dataclass(frozen=True, slots=True)
class Decision:
    """A handler's outcome: its last writes, events of one show to append, the answer (token added later).

    ``writes`` run in one statement with the stream bump, after every check passed.
    """

    outcome: Done
    body: dict[str, Any]
    show_id: UUID | None = None
    events: tuple[EventPayload, ...] = field(default=())
    writes: tuple[Write, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class CommandResult:
    """The answer: its outcome (for a replayed answer, the HTTP status stored with it) and body."""

    answer: Outcome | int
    body: bytes
    consistency_token: str | None
    replayed: bool = False

    def status(self, statuses: Statuses) -> int:
        """The HTTP status of this answer, given the status of each outcome."""
        return self.answer if isinstance(self.answer, int) else statuses[self.answer]


@dataclass(frozen=True, slots=True)
class Idempotency:
    """An idempotent run: the key's claim and the HTTP status its stored answer records per outcome."""

    claim: IdempotencyClaim
    statuses: Statuses

    def status(self, outcome: Outcome) -> int:
        return self.statuses[outcome]


NOT_STORED = 0  # the status passed for an answer no claim stores (a run without Idempotency)
Handler = Callable[[AsyncConnection, CommandContext], Awaitable[Decision]]


class _AtOnce(Enum):
    LEFT_TO_USUAL = "left_to_usual"


# A one statement's answer when its statement ran, could not decide the command and wrote nothing.
LEFT_TO_USUAL: Final = _AtOnce.LEFT_TO_USUAL
LeftToUsual = Literal[_AtOnce.LEFT_TO_USUAL]
# The whole command as one statement, its own transaction, on a connection outside any: its
# answer (an outcome, or an idempotent replay); LEFT_TO_USUAL when its statement ran and wrote
# nothing, or None when it sent no statement (both: the handler must run). It gives the
# guarantees of the module docstring itself.
OneStatement = Callable[
    [AsyncConnection, CommandContext, Idempotency | None],
    Awaitable[CommandResult | LeftToUsual | None],
]
CommitHook = Callable[[], None]
_commit_hooks: "weakref.WeakKeyDictionary[Engine, CommitHook]" = weakref.WeakKeyDictionary()


def call_after_events_commit(engine: AsyncEngine, hook: CommitHook | None) -> None:
    """Call ``hook()`` after every command run on ``engine`` whose events committed (None: no hook).

    It is called on the event loop once COMMIT has returned, before the
    command's answer; it must not block (schedule work instead). An exception
    from it is logged and ignored: the command has committed.
    """
    if hook is None:
        _commit_hooks.pop(engine.sync_engine, None)
    else:
        _commit_hooks[engine.sync_engine] = hook


def _events_committed(engine: AsyncEngine) -> None:
    hook = _commit_hooks.get(engine.sync_engine)
    if hook is not None:
        try:
            hook()
        except Exception:
            log.warning("post-commit hook failed (the command committed)", exc_info=True)


def error_body(code: str, message: str, **extra: Any) -> bytes:
    return orjson.dumps({"error": {"code": code, "message": message, **extra}})


def _utcnow() -> datetime:
    return datetime.now(UTC)


async def run_command(
    engine: AsyncEngine,
    handler: Handler,
    *,
    idempotency: Idempotency | None = None,
    correlation_id: UUID | None = None,
    clock: Callable[[], datetime] = _utcnow,
    on_retry: Callable[[RetryReason], None] | None = None,
    one_statement: OneStatement | None = None,
    on_usual: Callable[[], None] | None = None,
) -> CommandResult:
    """Run ``handler`` in its own transaction, retrying deadlocks; see the module docstring.

    Without ``idempotency`` nothing of the answer is stored. ``on_retry`` is told of each retry.
    ``one_statement`` is tried first (once); the handler runs if it answers ``LEFT_TO_USUAL``
    or None. ``on_usual`` is told, before the handler runs, of each command whose statement
    ran and left it to the handler: it answered ``LEFT_TO_USUAL``, or failed with a deadlock or
    a serialization failure (the retry is the handler's). Not of one that sent no statement.
    """
    causation_id = uuid4()
    for attempt in range(MAX_ATTEMPTS):
        context = CommandContext(clock(), correlation_id or causation_id, causation_id)
        at_once = one_statement is not None and attempt == 0
        try:
            if one_statement is not None and at_once:
                async with engine.connect() as conn:
                    result = await one_statement(conn, context, idempotency)
                at_once = False
                if isinstance(result, CommandResult):
                    if result.answer in _DONE:
                        _events_committed(engine)
                    return result
                if result is LEFT_TO_USUAL and on_usual is not None:
                    on_usual()
            return await _run_once(engine, handler, idempotency, context)
        except (DBAPIError, psycopg.Error) as exc:
            # pipelined statements raise psycopg's errors, SQLAlchemy's wrap them
            cause = exc.orig if isinstance(exc, DBAPIError) else exc
            retryable = isinstance(
                cause, psycopg.errors.DeadlockDetected | psycopg.errors.SerializationFailure
            )
            if not retryable or attempt == MAX_ATTEMPTS - 1:
                raise
            if at_once and on_usual is not None:  # the one statement failed: the handler retries it
                on_usual()
            if on_retry is not None:
                on_retry(
                    "deadlock" if isinstance(cause, psycopg.errors.DeadlockDetected) else "serialization"
                )
    raise AssertionError("unreachable")


async def _run_once(
    engine: AsyncEngine, handler: Handler, idempotency: Idempotency | None, context: CommandContext
) -> CommandResult:
    claim = idempotency.claim if idempotency is not None else None
    async with engine.connect() as conn:
        tx = await conn.begin()
        # the key's claim rides with the handler's first statement: one round trip fewer
        deferred = deferred_claim(claim) if claim is not None else None
        token = direct.defer(deferred)
        try:
            refusal: DomainError | None = None
            try:
                decision = await handler(conn, context)
            except DomainError as exc:
                refusal = exc
            if claim is not None and deferred is not None:
                # settled before anything is written (writes ride with the append below)
                stored = await settle_claim(conn, claim, deferred)
                if stored is not None:
                    await tx.rollback()
                    return replay(stored)
            if refusal is not None:
                kind = _REFUSED[refusal.kind]
                body = error_body(refusal.code, refusal.message, **refusal.extra)
                if idempotency is None:
                    await tx.rollback()
                else:  # nothing was written: remember the refusal so a retry gets the same answer
                    await store_answer(
                        conn, idempotency.claim, StoredResponse(idempotency.status(kind), body)
                    )
                    await tx.commit()
                return CommandResult(kind, body, None)
            if decision.events and decision.show_id is not None:
                appended = await append_and_commit(
                    conn,
                    decision.show_id,
                    decision.events,
                    writes=decision.writes,
                    claim=claim,
                    status_code=idempotency.status(decision.outcome) if idempotency else NOT_STORED,
                    body=decision.body,
                    correlation_id=context.correlation_id,
                    causation_id=context.causation_id,
                    occurred_at=context.now,
                )
                await tx.commit()  # already committed in the pipeline: SQLAlchemy sends nothing
                _events_committed(engine)
                return CommandResult(decision.outcome, appended.body, appended.token)
            if decision.writes:
                last = decision.writes[-1]
                statement, params = merged(decision.writes[:-1], last.sql, dict(last.params))
                await conn.execute(text(statement), params)
            encoded = ConsistencyToken(None, 0).encode()
            body = orjson.dumps({**decision.body, "consistency_token": encoded})
            if idempotency is not None:
                await store_answer(conn, claim, StoredResponse(idempotency.status(decision.outcome), body))
            await tx.commit()
            return CommandResult(decision.outcome, body, encoded)
        except ReusedKeyError:
            await tx.rollback()
            return reused_key()
        finally:
            direct.reset_deferred(token)


def reused_key() -> CommandResult:
    """The answer to a claimed Idempotency-Key sent with another request (nothing done)."""
    message = "this Idempotency-Key was used with a different request"
    return CommandResult("invalid", error_body("idempotency_key_reused", message), None)


def replay(stored: StoredResponse) -> CommandResult:
    """The answer stored under a claimed Idempotency-Key, replayed (nothing done)."""
    token = orjson.loads(stored.body).get("consistency_token") if stored.status_code < 400 else None
    return CommandResult(stored.status_code, stored.body, token, replayed=True)
