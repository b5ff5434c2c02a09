"""Holding, extending and releasing holds (checkout or operator role)."""

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from command_side.api.commanding import execute
from command_side.api.deps import (
    CheckoutDep,
    CorrelationHeader,
    CustomerHeader,
    IdempotencyKey,
    StateDep,
    acting_customer,
)
from command_side.api.schemas import (
    HoldCreated,
    HoldExtendedPublic,
    HoldExtensionIn,
    HoldIn,
    HoldReleasedPublic,
    documented,
)
from command_side.domain.commands import ExtendHold, HoldBestAvailable, HoldSeats, ReleaseHold
from command_side.handlers.hold_extension import extend_hold
from command_side.handlers.holds import hold_best_available, hold_seats, release_hold

router = APIRouter(prefix="/v1", tags=["holds"])


@router.post("/shows/{show_id}/holds", status_code=201, responses=documented(201, HoldCreated))
async def post_hold(
    *,
    show_id: UUID,
    body: HoldIn,
    request: Request,
    state: StateDep,
    caller: CheckoutDep,
    idempotency_key: IdempotencyKey = None,
    correlation_id: CorrelationHeader = None,
) -> Response:
    """Hold explicit seats, or the best ``quantity`` seats of a zone (adjacent in one row where possible).

    409 ``seats_unavailable`` lists the seats held or sold by someone else; 409
    ``customer_limit_reached`` when the customer would hold or own more than
    ``BOXOFFICE_MAX_SEATS_PER_CUSTOMER`` seats of the show (``limit``, ``customer_seats``, ``requested``).
    """
    if body.seat_ids is not None:
        handler = hold_seats(
            HoldSeats(show_id, body.customer_id, tuple(body.seat_ids), body.ttl_seconds), state.hold_policy
        )
    else:
        # HoldIn's validator guarantees both in this branch
        assert body.zone_id is not None
        assert body.quantity is not None
        command = HoldBestAvailable(show_id, body.customer_id, body.zone_id, body.quantity, body.ttl_seconds)
        handler = hold_best_available(command, state.hold_policy)
    return await execute(
        state,
        request,
        handler,
        caller=caller,
        customer_id=body.customer_id,
        idempotency_key=idempotency_key,
        payload=body,
        correlation_id=correlation_id,
    )


@router.delete("/holds/{hold_id}", responses=documented(200, HoldReleasedPublic))
async def delete_hold(
    *,
    hold_id: UUID,
    request: Request,
    state: StateDep,
    caller: CheckoutDep,
    customer: CustomerHeader = None,
    idempotency_key: IdempotencyKey = None,
    correlation_id: CorrelationHeader = None,
) -> Response:
    """Release a live hold. Checkout must send ``X-Customer-Id`` of the hold's customer (403 otherwise)."""
    customer_id = acting_customer(caller, customer)
    return await execute(
        state,
        request,
        release_hold(ReleaseHold(hold_id, customer_id)),
        caller=caller,
        customer_id=customer_id,
        idempotency_key=idempotency_key,
        payload=None,
        correlation_id=correlation_id,
    )


@router.post("/holds/{hold_id}/extend", responses=documented(200, HoldExtendedPublic))
async def post_hold_extension(
    *,
    hold_id: UUID,
    body: HoldExtensionIn,
    request: Request,
    state: StateDep,
    caller: CheckoutDep,
    customer: CustomerHeader = None,
    idempotency_key: IdempotencyKey = None,
    correlation_id: CorrelationHeader = None,
) -> Response:
    """Extend a live hold to ``ttl_seconds`` from now, at most to its ``max_expires_at``; emits HoldExtended.

    Checkout must send ``X-Customer-Id`` of the hold's customer (403 otherwise). 409 ``hold_not_live``
    for an expired, released or ordered hold; 409 ``hold_lifetime_exceeded`` when the hold already
    expires at its maximum lifetime. Asking for less time than the hold has left changes nothing.
    """
    customer_id = acting_customer(caller, customer)
    return await execute(
        state,
        request,
        extend_hold(ExtendHold(hold_id, customer_id, body.ttl_seconds), state.hold_policy),
        caller=caller,
        customer_id=customer_id,
        idempotency_key=idempotency_key,
        payload=body,
        correlation_id=correlation_id,
    )
