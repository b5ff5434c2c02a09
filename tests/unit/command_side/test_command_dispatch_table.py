"""The command dispatch table: every command has one handler, wired at start-up."""

from typing import get_args
from uuid import uuid4

import pytest

from command_side.domain.commands import HoldBestAvailable, HoldSeats, PayOrder, ReleaseHold
from command_side.domain.holds import HoldPolicy
from command_side.handlers.dispatch import Command, CommandHandlers, command_handlers

POLICY = HoldPolicy()


def test_every_command_has_a_handler() -> None:
    table = command_handlers(POLICY, order_pay_by_seconds=900)
    assert table.missing() == []
    assert len(get_args(Command)) == 9
    assert callable(table.handler_for(ReleaseHold(uuid4(), None)))
    assert table.handler_for(PayOrder(uuid4(), "c", "ref", 1)) is not table.handler_for(
        PayOrder(uuid4(), "c", "ref", 1)
    )  # a handler per command: it closes over that command


def test_a_table_missing_a_command_names_it_and_a_second_handler_is_refused() -> None:
    table = CommandHandlers()
    table.register(ReleaseHold, lambda c: command_handlers(POLICY, 900).handler_for(c))
    assert "PayOrder" in table.missing()
    assert "ReleaseHold" not in table.missing()
    with pytest.raises(ValueError, match="already has a handler"):
        table.register(ReleaseHold, lambda c: command_handlers(POLICY, 900).handler_for(c))


def test_only_holds_are_tried_as_one_statement_first() -> None:
    table = command_handlers(POLICY, order_pay_by_seconds=900)
    assert callable(table.one_statement_for(HoldSeats(uuid4(), "c", ("A-1-1",), None)))
    assert callable(table.one_statement_for(HoldBestAvailable(uuid4(), "c", "A", 1, None)))
    assert table.one_statement_for(ReleaseHold(uuid4(), None)) is None


def test_a_second_one_statement_path_for_a_command_is_refused() -> None:
    table = command_handlers(POLICY, order_pay_by_seconds=900)
    with pytest.raises(ValueError, match="already has a one-statement path"):
        table.register_one_statement(HoldSeats, table.one_statement_for)  # type: ignore[arg-type]
