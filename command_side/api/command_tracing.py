"""The span of a command's database transaction, child of the request's server span.

The outbox rows the command appends carry this span's context
(``adapters.outbox``), so the relay's publish spans continue this trace.
"""

from collections.abc import Awaitable

from opentelemetry.util.types import AttributeValue

from command_side.handlers.dispatch import Command
from command_side.handlers.runner import CommandResult
from infra.telemetry import traced


def _outcome(result: CommandResult) -> dict[str, AttributeValue]:
    return {
        "boxoffice.command.outcome": str(result.answer),
        "boxoffice.command.replayed": result.replayed,
        "boxoffice.consistency_token": result.consistency_token or "",
    }


def command_transaction(command: Command, running: Awaitable[CommandResult]) -> Awaitable[CommandResult]:
    """``running`` (a ``run_command``) inside a span ``"command <Name>"``; only called while tracing."""
    name = type(command).__name__
    return traced(
        f"command {name}",
        running,
        attributes={"boxoffice.command": name, "db.system.name": "postgresql"},
        outcome=_outcome,
    )
