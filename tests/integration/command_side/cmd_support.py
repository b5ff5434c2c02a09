"""Helpers of the command-side integration tests: requests, appends, the outbox (topics: tests.support)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import psycopg
from sqlalchemy.ext.asyncio import AsyncEngine

from command_side.adapters.idempotency import IdempotencyClaim, deferred_claim, settle_claim
from command_side.adapters.outbox import Appended, Write, append_and_commit
from command_side.devtools import show_setup
from contracts import DecodedEvent, EventPayload, decode_event
from infra.db import libpq_dsn

ClientFactory = Callable[..., httpx.AsyncClient]
OPERATOR = {"Authorization": "Bearer test-operator-key"}
CHECKOUT = {"Authorization": "Bearer test-checkout-key"}
VIEWER = {"Authorization": "Bearer test-viewer-key"}


def as_customer(customer_id: str) -> dict[str, str]:
    return {**CHECKOUT, "X-Customer-Id": customer_id}


async def new_show(
    client: httpx.AsyncClient, rows: int = 5, seats: int = 10, zones: Sequence[str] = ("A",)
) -> str:
    """A fresh venue and show; zone prices 1000 cents times the zone's position + 1."""
    prices = {z: 1000 * (i + 1) for i, z in enumerate(zones)}
    return await show_setup.new_show(client, OPERATOR, show_setup.zones(zones, rows, seats), prices)


async def post_hold(
    client: httpx.AsyncClient, show_id: str, body: dict[str, Any], headers: dict[str, str] = CHECKOUT
) -> httpx.Response:
    """POST a hold command (named seats or best-available, as ``body`` says); the raw answer."""
    return await client.post(f"/v1/shows/{show_id}/holds", json=body, headers=headers)


async def hold(
    client: httpx.AsyncClient, show_id: str, customer: str, seats: Sequence[str], **extra: object
) -> dict[str, Any]:
    """Hold the named ``seats`` for ``customer`` (``extra`` body fields, e.g. ``ttl_seconds``); asserts
    the command was accepted (201) and returns its answer."""
    response = await post_hold(client, show_id, {"customer_id": customer, "seat_ids": list(seats), **extra})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def post_order(client: httpx.AsyncClient, hold_id: str, customer: str) -> httpx.Response:
    """POST an order of ``hold_id`` for ``customer``; the raw answer."""
    return await client.post(
        "/v1/orders", json={"hold_id": hold_id, "customer_id": customer}, headers=CHECKOUT
    )


async def place_order(client: httpx.AsyncClient, hold_id: str, customer: str) -> dict[str, Any]:
    """Order ``hold_id`` for ``customer``; asserts the command was accepted (201) and returns its answer."""
    response = await post_order(client, hold_id, customer)
    assert response.status_code == 201, response.text
    return dict(response.json())


def failing_write() -> Write:
    """A last write that fails (a NOT NULL violation), so the append statement fails whole."""
    return Write(
        "INSERT INTO write_model.idempotency_keys (scope, idempotency_key, request_hash) "
        "VALUES ('test', :failing_key, NULL)",
        {"failing_key": str(uuid4())},
    )


async def append_events(
    engine: AsyncEngine,
    show_id: UUID,
    payloads: Sequence[EventPayload],
    *,
    writes: Sequence[Write] = (),
    claim: IdempotencyClaim | None = None,
    body: dict[str, Any] | None = None,
) -> Appended:
    """Append through the command side's one append path, in a transaction of its own.

    With ``claim``, the key is claimed first, as a command does; an error rolls back.
    """
    async with engine.connect() as conn:
        tx = await conn.begin()
        try:
            if claim is not None:
                assert await settle_claim(conn, claim, deferred_claim(claim)) is None
            appended = await append_and_commit(
                conn,
                show_id,
                payloads,
                writes=writes,
                claim=claim,
                status_code=201,
                body=body or {},
                correlation_id=uuid4(),
                causation_id=uuid4(),
                occurred_at=datetime.now(UTC),
            )
        except BaseException:
            await tx.rollback()
            raise
        await tx.commit()  # already committed with the append
        return appended


@dataclass(frozen=True)
class OutboxRow:
    event_id: UUID
    seq: int
    event_type: str
    body: bytes
    published: bool


async def outbox(database_url: str, show_id: str) -> list[OutboxRow]:
    async with await psycopg.AsyncConnection.connect(libpq_dsn(database_url)) as conn:
        cursor = await conn.execute(
            "SELECT event_id, seq, event_type, body, published_at IS NOT NULL FROM write_model.outbox "
            "WHERE show_id = %s ORDER BY seq",
            (show_id,),
        )
        return [OutboxRow(r[0], r[1], r[2], bytes(r[3]), r[4]) for r in await cursor.fetchall()]


async def outbox_events(database_url: str, show_id: str) -> list[DecodedEvent]:
    """The show's outbox rows decoded, in seq order."""
    return [decode_event(row.body) for row in await outbox(database_url, show_id)]


async def fetch_one(database_url: str, query: str, *params: Any) -> tuple[Any, ...] | None:
    async with await psycopg.AsyncConnection.connect(libpq_dsn(database_url)) as conn:
        return await (await conn.execute(query, params)).fetchone()


async def stored_answer(database_url: str, idempotency_key: str) -> tuple[int, bytes] | None:
    """The status and body kept under ``idempotency_key`` (what a replay of it is answered)."""
    row = await fetch_one(
        database_url,
        "SELECT status_code, response FROM write_model.idempotency_keys WHERE idempotency_key = %s",
        idempotency_key,
    )
    return None if row is None else (row[0], bytes(row[1]))
