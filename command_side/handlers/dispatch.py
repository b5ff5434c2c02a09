"""The command dispatch table: which handler runs each command, wired once at start-up.

``command_handlers`` binds every handler to what it needs (the hold policy,
the pay-by time) and checks that every kind of ``Command`` has a handler, so an
entry point only builds a command and asks the table for its handler.
"""

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar, get_args

from command_side.domain.commands import (
    CancelOrder,
    CreateVenue,
    ExtendHold,
    HoldBestAvailable,
    HoldSeats,
    PayOrder,
    PlaceOrder,
    ReleaseHold,
    ScheduleShow,
)
from command_side.domain.holds import HoldPolicy
from command_side.handlers.best_at_once import hold_best_available_at_once
from command_side.handlers.hold_at_once import hold_seats_at_once
from command_side.handlers.hold_extension import extend_hold
from command_side.handlers.holds import hold_best_available, hold_seats, release_hold
from command_side.handlers.orders import cancel_order, pay_order, place_order
from command_side.handlers.runner import Handler, OneStatement
from command_side.handlers.venues import create_venue, schedule_show

Command = (
    CreateVenue
    | ScheduleShow
    | HoldSeats
    | HoldBestAvailable
    | ReleaseHold
    | ExtendHold
    | PlaceOrder
    | PayOrder
    | CancelOrder
)
C = TypeVar("C")


class CommandHandlers:
    """Command type -> the handler of such a command (and the command in one statement, if it has one)."""

    def __init__(self) -> None:
        self._builders: dict[type[Any], Callable[[Any], Handler]] = {}
        self._one_statement: dict[type[Any], Callable[[Any], OneStatement]] = {}

    def register(self, kind: type[C], build: Callable[[C], Handler]) -> None:
        if kind in self._builders:
            raise ValueError(f"{kind.__name__} already has a handler")
        self._builders[kind] = build

    def register_one_statement(self, kind: type[C], build: Callable[[C], OneStatement]) -> None:
        """``build(command)`` is tried before the handler (``runner.OneStatement``)."""
        if kind in self._one_statement:
            raise ValueError(f"{kind.__name__} already has a one-statement path")
        self._one_statement[kind] = build

    def missing(self) -> list[str]:
        """The names of the commands without a handler."""
        return [kind.__name__ for kind in get_args(Command) if kind not in self._builders]

    def handler_for(self, command: Command) -> Handler:
        return self._builders[type(command)](command)

    def one_statement_for(self, command: Command) -> OneStatement | None:
        build = self._one_statement.get(type(command))
        return build(command) if build is not None else None


def command_handlers(policy: HoldPolicy, order_pay_by_seconds: int) -> CommandHandlers:
    """The table of every command's handler; ValueError if a command has none."""
    table = CommandHandlers()
    table.register(CreateVenue, create_venue)
    table.register(ScheduleShow, schedule_show)
    table.register(HoldSeats, partial(hold_seats, policy=policy))
    table.register_one_statement(HoldSeats, partial(hold_seats_at_once, policy=policy))
    table.register(HoldBestAvailable, partial(hold_best_available, policy=policy))
    table.register_one_statement(HoldBestAvailable, partial(hold_best_available_at_once, policy=policy))
    table.register(ReleaseHold, release_hold)
    table.register(ExtendHold, partial(extend_hold, policy=policy))
    table.register(PlaceOrder, partial(place_order, pay_by_seconds=order_pay_by_seconds))
    table.register(PayOrder, pay_order)
    table.register(CancelOrder, cancel_order)
    if missing := table.missing():
        raise ValueError(f"commands without a handler: {', '.join(missing)}")
    return table
