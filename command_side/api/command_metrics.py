"""Prometheus metrics of the command API's commands: outcomes by command, retries, idempotent replays,
one-statement attempts left to the usual path.

Every child is bound here, once, for every command type and outcome, so
counting a command is two dict lookups and an increment, and every series
exists (at 0) from the start, which ``rate()`` and alerts need.
"""

from typing import Any, Literal, get_args

from prometheus_client import CollectorRegistry, Counter

from command_side.handlers.dispatch import Command
from command_side.handlers.runner import RetryReason

CommandOutcome = Literal["accepted", "rejected", "replayed", "error"]
OUTCOMES: tuple[CommandOutcome, ...] = get_args(CommandOutcome)
RETRY_REASONS: tuple[RetryReason, ...] = get_args(RetryReason)


class CommandMetrics:
    """``boxoffice_commands_total{command,outcome}``, ``boxoffice_command_retries_total{reason}``,
    ``boxoffice_idempotent_replays_total``, ``boxoffice_one_statement_fallbacks_total{command}``,
    in the app's registry.

    Outcomes: ``accepted`` (a 2xx answer), ``rejected`` (a 4xx decision),
    ``replayed`` (the stored answer of an ``Idempotency-Key`` seen before),
    ``error`` (no answer: the database was unreachable, or something unexpected).
    A fallback is a command whose one statement (``runner.OneStatement``) ran and left it to
    its usual handler: its SQL function answered ``usual`` (a seat taken or of a lapsed hold,
    no open run, the limit, an unknown show or zone), or it failed with a deadlock or a
    serialization failure and the handler's retry took it over. A request refused before any
    SQL (a bad TTL, seat list or quantity, more seats than the limit) is not one. Each costs
    a round trip or more; under contention many are a sign that the one statement gives up
    too early.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        commands = Counter(
            "boxoffice_commands",
            "Commands by type and outcome (accepted, rejected, replayed, error).",
            ["command", "outcome"],
            registry=registry,
        )
        self._commands: dict[type[Any], dict[CommandOutcome, Counter]] = {
            kind: {outcome: commands.labels(kind.__name__, outcome) for outcome in OUTCOMES}
            for kind in get_args(Command)
        }
        retries = Counter(
            "boxoffice_command_retries",
            "Command transactions run again after a deadlock or a serialization failure.",
            ["reason"],
            registry=registry,
        )
        self._retries = {reason: retries.labels(reason) for reason in RETRY_REASONS}
        self.replays = Counter(
            "boxoffice_idempotent_replays",
            "Commands answered with the stored answer of their Idempotency-Key.",
            registry=registry,
        )
        fallbacks = Counter(
            "boxoffice_one_statement_fallbacks",
            "Commands whose one statement ran and then left them to their usual handler.",
            ["command"],
            registry=registry,
        )
        self._fallbacks = {kind: fallbacks.labels(kind.__name__) for kind in get_args(Command)}

    def command(self, command: Command, outcome: CommandOutcome) -> None:
        self._commands[type(command)][outcome].inc()
        if outcome == "replayed":
            self.replays.inc()

    def left_to_usual_path(self, command: Command) -> None:
        self._fallbacks[type(command)].inc()

    def retried(self, reason: RetryReason) -> None:
        self._retries[reason].inc()
