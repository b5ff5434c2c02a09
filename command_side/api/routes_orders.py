"""Orders: placing from a hold, paying, cancelling (checkout or operator role)."""

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response

from command_side.api.commanding import dispatch
from command_side.api.deps import CheckoutCommand, CustomerCommand
from command_side.api.schemas import (
    CancelIn,
    OrderCancelledPublic,
    OrderCreated,
    OrderIn,
    OrderPaidPublic,
    PaymentIn,
    documented,
)
from command_side.domain.commands import CancelOrder, PayOrder, PlaceOrder

router = APIRouter(prefix="/v1", tags=["orders"])


@router.post("/orders", status_code=201, responses=documented(201, OrderCreated))
async def post_order(body: OrderIn, call: CheckoutCommand) -> Response:
    """Turn a live hold into a pending order; the hold must be the ``customer_id``'s (operators: any)."""
    owner = None if call.caller.is_operator else body.customer_id
    command = PlaceOrder(body.hold_id, owner, body.referrer_id)
    return await dispatch(call, command, customer_id=body.customer_id, payload=body)


@router.post("/orders/{order_id}/payment", responses=documented(200, OrderPaidPublic))
async def post_payment(order_id: UUID, body: PaymentIn, call: CustomerCommand) -> Response:
    """Pay a pending order its exact total (422 otherwise) before ``pay_by``.

    A cancelled or expired order gets 409 ``order_not_payable``. Checkout must send ``X-Customer-Id``.
    """
    customer_id = call.acting_customer()
    command = PayOrder(order_id, customer_id, body.payment_ref, body.amount_cents)
    return await dispatch(call, command, customer_id=customer_id, payload=body)


@router.post("/orders/{order_id}/cancel", responses=documented(200, OrderCancelledPublic))
async def post_cancel(order_id: UUID, call: CustomerCommand, body: CancelIn | None = None) -> Response:
    """Cancel a pending or paid order (paid: refunded in full). Checkout must send ``X-Customer-Id``."""
    customer_id = call.acting_customer()
    command = CancelOrder(order_id, customer_id, body.reason if body else None)
    return await dispatch(call, command, customer_id=customer_id, payload=body)
