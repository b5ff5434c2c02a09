"""Holding seats (explicit or best-available) and releasing holds.

A hold counts the seats its customer already has of the show under a lock of
(show, customer) held until it commits (``adapters.customer_seats``), so racing
holds of one customer never pass ``HoldPolicy.max_seats_per_customer`` together.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncConnection

from command_side.adapters import customer_seats, holds_repo, seat_inventory, venues_repo
from command_side.domain.commands import HoldBestAvailable, HoldSeats, ReleaseHold
from command_side.domain.errors import Conflict, Invalid, NotFound
from command_side.domain.hold_limits import check_customer_limit
from command_side.domain.holds import (
    HoldPolicy,
    HoldState,
    check_hold_live,
    check_hold_owner,
    check_quantity,
    check_seat_ids,
    decide_hold,
)
from command_side.handlers.best_available import FrontRows, lock_best_available
from command_side.handlers.runner import CommandContext, Decision, Handler
from contracts import EventPayload, HoldReleased, SeatsHeld


def hold_seats(command: HoldSeats, policy: HoldPolicy) -> Handler:
    """Hold the named seats, waiting for their locks: all or nothing, within the customer's limit."""

    async def handle(conn: AsyncConnection, context: CommandContext) -> Decision:
        ttl = policy.ttl(command.ttl_seconds)
        seat_ids = check_seat_ids(command.seat_ids)
        limit = policy.max_seats_per_customer
        if limit:  # the customer's seats counted and the requested seats locked in one round trip
            has, states = await customer_seats.count_seats_and_lock(
                conn, command.show_id, command.customer_id, context.now, seat_ids
            )
        else:
            has, states = 0, await seat_inventory.lock_seats(conn, command.show_id, seat_ids)
        if len(states) < len(seat_ids) and await venues_repo.show_prices(conn, command.show_id) is None:
            raise _show_not_found(command.show_id)
        check_customer_limit(has, len(seat_ids), limit)
        lapsed = decide_hold(seat_ids, states, context.now)
        return await _hold(conn, context, command.show_id, command.customer_id, seat_ids, lapsed, ttl)

    return handle


def hold_best_available(command: HoldBestAvailable, policy: HoldPolicy) -> Handler:
    """Hold ``quantity`` seats of a zone, adjacent in one row where possible (``best_available``)."""

    async def handle(conn: AsyncConnection, context: CommandContext) -> Decision:
        ttl = policy.ttl(command.ttl_seconds)
        quantity = check_quantity(command.quantity)
        limit = policy.max_seats_per_customer
        first_page = None
        if limit:  # the zone's first page of free seats is read in the count's round trip
            reading = FrontRows.first_page_read(command.show_id, command.zone_id, context.now)
            has, rows = await customer_seats.count_seats_and_read(
                conn, command.show_id, command.customer_id, context.now, reading
            )
            if has + quantity > limit:
                await _check_zone(conn, command.show_id, command.zone_id)  # an unknown show is a 404 first
            check_customer_limit(has, quantity, limit)
            first_page = seat_inventory.seat_candidates(rows)
        states, any_free = await lock_best_available(
            conn, command.show_id, command.zone_id, quantity, context.now, first_page=first_page
        )
        if not states:
            if not any_free:
                await _check_zone(conn, command.show_id, command.zone_id)
            raise Conflict(
                "seats_unavailable",
                f"zone {command.zone_id} has fewer than {quantity} free seats",
                seat_ids=[],
                zone_id=command.zone_id,
            )
        seat_ids = tuple(s.seat_id for s in states)
        lapsed = decide_hold(seat_ids, states, context.now)
        return await _hold(conn, context, command.show_id, command.customer_id, seat_ids, lapsed, ttl)

    return handle


def release_hold(command: ReleaseHold) -> Handler:
    """End a live hold at the customer's request; its seats become available."""

    async def handle(conn: AsyncConnection, context: CommandContext) -> Decision:
        hold, _ = await locked_hold(conn, command.hold_id, command.customer_id)
        check_hold_live(hold, context.now)
        await holds_repo.end_live_holds(conn, [hold.hold_id], "released", context.now)
        await seat_inventory.release_holds(conn, [hold.hold_id])
        event = HoldReleased(
            hold_id=hold.hold_id, customer_id=hold.customer_id, seat_ids=hold.seat_ids, reason="released"
        )
        body = {"hold_id": hold.hold_id, "show_id": hold.show_id, "status": "released"}
        return Decision("done", body, show_id=hold.show_id, events=(event,))

    return handle


async def locked_hold(
    conn: AsyncConnection, hold_id: UUID, customer_id: str | None
) -> tuple[HoldState, dict[str, str]]:
    """The hold read after locking its seats (which every change of a hold locks first), and its
    seats' zones (seat id -> zone id); 404 ``hold_not_found``, 403 if it is another customer's
    (``customer_id`` None: an operator, who may act on any hold)."""
    seat_zones = await seat_inventory.lock_seats_held_by(conn, hold_ids=[hold_id])
    hold = await holds_repo.get_hold(conn, hold_id)
    if hold is None:
        raise NotFound("hold_not_found", "no hold has this id", hold_id=str(hold_id))
    check_hold_owner(hold, customer_id)
    return hold, seat_zones


async def expire_lapsed(conn: AsyncConnection, hold_ids: Sequence[UUID], now: datetime) -> list[EventPayload]:
    """Expire live holds past their TTL (their seats locked first); HoldReleased(expired) for each."""
    if not hold_ids:
        return []
    await seat_inventory.lock_seats_held_by(conn, hold_ids=hold_ids)
    ended = await holds_repo.end_live_holds(conn, hold_ids, "expired", now)
    await seat_inventory.release_holds(conn, [h.hold_id for h in ended])
    return [
        HoldReleased(hold_id=h.hold_id, customer_id=h.customer_id, seat_ids=h.seat_ids, reason="expired")
        for h in ended
    ]


async def _hold(  # noqa: PLR0917 - the hold's facts, decided by the two handlers above
    conn: AsyncConnection,
    context: CommandContext,
    show_id: UUID,
    customer_id: str,
    seat_ids: tuple[str, ...],
    lapsed: Sequence[UUID],
    ttl: int,
) -> Decision:
    """Write a hold on locked, free seats, expiring the lapsed holds it takes seats from first."""
    events = await expire_lapsed(conn, lapsed, context.now)
    hold_id = uuid4()
    expires_at = context.now + timedelta(seconds=ttl)
    writes = (
        seat_inventory.mark_held(show_id, seat_ids, hold_id, expires_at),
        holds_repo.insert_hold(
            hold_id=hold_id,
            show_id=show_id,
            customer_id=customer_id,
            seat_ids=seat_ids,
            expires_at=expires_at,
            created_at=context.now,
        ),
    )
    events.append(
        SeatsHeld(hold_id=hold_id, customer_id=customer_id, seat_ids=seat_ids, expires_at=expires_at)
    )
    body = hold_body(hold_id, show_id, seat_ids, expires_at)
    return Decision("created", body, show_id=show_id, events=tuple(events), writes=writes)


def hold_body(
    hold_id: UUID, show_id: UUID, seat_ids: tuple[str, ...], expires_at: datetime
) -> dict[str, Any]:
    """The answer to a hold made (its consistency token added when its event is appended)."""
    return {"hold_id": hold_id, "show_id": show_id, "seat_ids": list(seat_ids), "expires_at": expires_at}


async def _check_zone(conn: AsyncConnection, show_id: UUID, zone_id: str) -> None:
    prices = await venues_repo.show_prices(conn, show_id)
    if prices is None:
        raise _show_not_found(show_id)
    if zone_id not in prices:
        raise Invalid("unknown_zone", "the show's venue has no such zone", zone_id=zone_id)


def _show_not_found(show_id: UUID) -> NotFound:
    return NotFound("show_not_found", "no show has this id", show_id=str(show_id))
