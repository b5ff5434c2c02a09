"""Request dependencies: the app's state, the caller's role, customer identity, idempotency.

A command route takes one ``CommandCall`` (``OperatorCommand``, ``CheckoutCommand``
or ``CustomerCommand``): the caller, the Idempotency-Key, the correlation id and,
for routes acting on a customer's hold or order, the X-Customer-Id header.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPBearer
from sqlalchemy.ext.asyncio import AsyncEngine

from command_side.api.command_metrics import CommandMetrics
from command_side.handlers.dispatch import CommandHandlers
from command_side.settings import CommandSettings
from infra.http.app_state import app_state
from infra.http.auth import BearerAuth, Refusals
from infra.http.errors import ApiError
from infra.settings import ApiKeySettings, Role


@dataclass(frozen=True, slots=True)
class CommandState:
    """What every route needs, built once by the composition root."""

    settings: CommandSettings
    api_keys: ApiKeySettings
    engine: AsyncEngine
    handlers: CommandHandlers
    metrics: CommandMetrics


@dataclass(frozen=True, slots=True)
class Caller:
    role: Role

    @property
    def is_operator(self) -> bool:
        return self.role == "operator"


def _api_keys(request: Request) -> ApiKeySettings:
    state: CommandState = request.app.state.command
    return state.api_keys


get_state = app_state("command", CommandState)
StateDep = Annotated[CommandState, Depends(get_state)]
_MISSING_OR_UNKNOWN = "send a valid API key as Authorization: Bearer <key>"
AUTH = BearerAuth(
    _api_keys,
    Refusals(_MISSING_OR_UNKNOWN, _MISSING_OR_UNKNOWN, "this needs the {roles} role", name_the_role=True),
    scheme=HTTPBearer(auto_error=False, description="An API key from BOXOFFICE_API_KEYS."),
)


def caller_with(*roles: Role) -> Callable[..., Awaitable[Caller]]:
    """A dependency admitting callers whose key has one of ``roles``: 401 without a valid key, else 403."""
    role_of = AUTH.requiring(*roles)

    async def authorize(role: Annotated[Role, Depends(role_of)]) -> Caller:
        return Caller(role)

    return authorize


OperatorDep = Annotated[Caller, Depends(caller_with("operator"))]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Retries with the same key get the first answer and have no second effect; "
        "the same key with a different body gets 422 idempotency_key_reused.",
    ),
]
CustomerHeader = Annotated[
    str | None,
    Header(
        alias="X-Customer-Id",
        pattern=r"^[A-Za-z0-9_.:@-]{1,100}$",
        description="Required for the checkout role: the customer acting. It must own the hold or "
        "order (else 403). The operator role may omit it and act on anything.",
    ),
]
CorrelationHeader = Annotated[str | None, Header(alias="X-Correlation-Id", max_length=100)]


def acting_customer(caller: Caller, customer_header: str | None) -> str | None:
    """The customer whose ownership is checked: None for an operator; required for checkout."""
    if caller.is_operator:
        return None
    if customer_header is None:
        raise ApiError(
            422, "customer_id_required", "the checkout role must send X-Customer-Id for this request"
        )
    return customer_header


@dataclass(frozen=True, slots=True)
class CommandCall:
    """Who sends a command, and the headers every command route reads the same way."""

    state: CommandState
    request: Request
    caller: Caller
    idempotency_key: str | None
    correlation_id: str | None
    customer_header: str | None = None

    def acting_customer(self) -> str | None:
        """The X-Customer-Id whose ownership is checked: None for an operator; required for checkout.

        Called by the route, so a request the schema refuses gets that 422 first.
        """
        return acting_customer(self.caller, self.customer_header)


def _call_by(authorize: Callable[..., Awaitable[Caller]]) -> Callable[..., Awaitable[CommandCall]]:
    async def gather(
        request: Request,
        state: StateDep,
        caller: Annotated[Caller, Depends(authorize)],
        idempotency_key: IdempotencyKey = None,
        correlation_id: CorrelationHeader = None,
    ) -> CommandCall:
        return CommandCall(state, request, caller, idempotency_key, correlation_id)

    return gather


OperatorCommand = Annotated[CommandCall, Depends(_call_by(caller_with("operator")))]
CheckoutCommand = Annotated[CommandCall, Depends(_call_by(caller_with("checkout", "operator")))]


async def _for_customer(call: CheckoutCommand, customer: CustomerHeader = None) -> CommandCall:
    return replace(call, customer_header=customer)


CustomerCommand = Annotated[CommandCall, Depends(_for_customer)]
