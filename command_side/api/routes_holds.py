"""Holding, extending and releasing holds (checkout or operator role)."""

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response

from command_side.api.commanding import dispatch
from command_side.api.deps import CheckoutCommand, CustomerCommand
from command_side.api.schemas import (
    HoldCreated,
    HoldExtendedPublic,
    HoldExtensionIn,
    HoldIn,
    HoldReleasedPublic,
    documented,
)
from command_side.domain.commands import ExtendHold, HoldBestAvailable, HoldSeats, ReleaseHold

router = APIRouter(prefix="/v1", tags=["holds"])


@router.post("/shows/{show_id}/holds", status_code=201, responses=documented(201, HoldCreated))
async def post_hold(show_id: UUID, body: HoldIn, call: CheckoutCommand) -> Response:
    """Hold explicit seats, or the best ``quantity`` seats of a zone (adjacent in one row where possible).

    409 ``seats_unavailable`` lists the seats held or sold by someone else; 409
    ``customer_limit_reached`` when the customer would hold or own more than
    ``BOXOFFICE_MAX_SEATS_PER_CUSTOMER`` seats of the show (``limit``, ``customer_seats``, ``requested``).
    """
    choice = body.choice()
    command = (
        HoldSeats(show_id, body.customer_id, choice, body.ttl_seconds)
        if isinstance(choice, tuple)
        else HoldBestAvailable(show_id, body.customer_id, choice.zone_id, choice.quantity, body.ttl_seconds)
    )
    return await dispatch(call, command, customer_id=body.customer_id, payload=body)


@router.delete("/holds/{hold_id}", responses=documented(200, HoldReleasedPublic))
async def delete_hold(hold_id: UUID, call: CustomerCommand) -> Response:
    """Release a live hold. Checkout must send ``X-Customer-Id`` of the hold's customer (403 otherwise)."""
    customer_id = call.acting_customer()
    return await dispatch(call, ReleaseHold(hold_id, customer_id), customer_id=customer_id)


@router.post("/holds/{hold_id}/extend", responses=documented(200, HoldExtendedPublic))
async def post_hold_extension(hold_id: UUID, body: HoldExtensionIn, call: CustomerCommand) -> Response:
    """Extend a live hold to ``ttl_seconds`` from now, at most to its ``max_expires_at``; emits HoldExtended.

    Checkout must send ``X-Customer-Id`` of the hold's customer (403 otherwise). 409 ``hold_not_live``
    for an expired, released or ordered hold; 409 ``hold_lifetime_exceeded`` when the hold already
    expires at its maximum lifetime. Asking for less time than the hold has left changes nothing.
    """
    customer_id = call.acting_customer()
    command = ExtendHold(hold_id, customer_id, body.ttl_seconds)
    return await dispatch(call, command, customer_id=customer_id, payload=body)
