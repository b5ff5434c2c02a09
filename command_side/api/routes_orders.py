"""Orders: placing from a hold, paying, cancelling (checkout or operator role)."""

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
    CancelIn,
    OrderCancelledPublic,
    OrderCreated,
    OrderIn,
    OrderPaidPublic,
    PaymentIn,
    documented,
)
from command_side.domain.commands import CancelOrder, PayOrder, PlaceOrder
from command_side.handlers.orders import cancel_order, pay_order, place_order

router = APIRouter(prefix="/v1", tags=["orders"])


@router.post("/orders", status_code=201, responses=documented(201, OrderCreated))
async def post_order(
    *,
    body: OrderIn,
    request: Request,
    state: StateDep,
    caller: CheckoutDep,
    idempotency_key: IdempotencyKey = None,
    correlation_id: CorrelationHeader = None,
) -> Response:
    """Turn a live hold into a pending order; the hold must be the ``customer_id``'s (operators: any)."""
    customer = None if caller.is_operator else body.customer_id
    command = PlaceOrder(body.hold_id, customer, body.referrer_id)
    return await execute(
        state,
        request,
        place_order(command, state.settings.order_pay_by_seconds),
        caller=caller,
        customer_id=body.customer_id,
        idempotency_key=idempotency_key,
        payload=body,
        correlation_id=correlation_id,
    )


@router.post("/orders/{order_id}/payment", responses=documented(200, OrderPaidPublic))
async def post_payment(
    *,
    order_id: UUID,
    body: PaymentIn,
    request: Request,
    state: StateDep,
    caller: CheckoutDep,
    customer: CustomerHeader = None,
    idempotency_key: IdempotencyKey = None,
    correlation_id: CorrelationHeader = None,
) -> Response:
    """Pay a pending order its exact total (422 otherwise) before ``pay_by``.

    A cancelled or expired order gets 409 ``order_not_payable``. Checkout must send ``X-Customer-Id``.
    """
    customer_id = acting_customer(caller, customer)
    return await execute(
        state,
        request,
        pay_order(PayOrder(order_id, customer_id, body.payment_ref, body.amount_cents)),
        caller=caller,
        customer_id=customer_id,
        idempotency_key=idempotency_key,
        payload=body,
        correlation_id=correlation_id,
    )


@router.post("/orders/{order_id}/cancel", responses=documented(200, OrderCancelledPublic))
async def post_cancel(
    *,
    order_id: UUID,
    request: Request,
    state: StateDep,
    caller: CheckoutDep,
    body: CancelIn | None = None,
    customer: CustomerHeader = None,
    idempotency_key: IdempotencyKey = None,
    correlation_id: CorrelationHeader = None,
) -> Response:
    """Cancel a pending or paid order (paid: refunded in full). Checkout must send ``X-Customer-Id``."""
    customer_id = acting_customer(caller, customer)
    reason = body.reason if body else None
    return await execute(
        state,
        request,
        cancel_order(CancelOrder(order_id, customer_id, reason)),
        caller=caller,
        customer_id=customer_id,
        idempotency_key=idempotency_key,
        payload=body,
        correlation_id=correlation_id,
    )
