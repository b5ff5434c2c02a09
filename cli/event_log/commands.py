"""``boxoffice events show SHOW_ID`` and ``boxoffice events tail``: print events, never change anything.

Registered on the ``events`` group in ``cli.command_cmds``. Errors an operator
can make (a bad or unknown show id, services down, no topic) print one line on
stderr and exit non-zero, without a traceback; Ctrl-C ends ``tail`` with 0.
"""

import asyncio
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from infra.stop_signals import until_signalled

if TYPE_CHECKING:
    from cli.event_log.summary import EventLine
    from command_side.adapters.event_log import LoggedEvent
    from command_side.settings import CommandSettings

PAGE_SIZE = 1000
errors = Console(stderr=True, highlight=False)

AsJson = Annotated[
    bool, typer.Option("--json", help="The envelopes exactly as stored or published, one JSON per line.")
]


def show(
    show_id: Annotated[str, typer.Argument(help="The show's id (a UUID).", show_default=False)],
    from_seq: Annotated[int, typer.Option("--from-seq", min=1, help="First seq to print.")] = 1,
    as_json: AsJson = False,
) -> None:
    """Print a show's stream from the event store, in seq order: seq, type, time, correlation, summary."""
    import psycopg

    from command_side.adapters.event_log import EventLogReader, UnknownShowError

    stream = _show_id(show_id)
    settings = _settings()
    try:
        with _quiet_broken_pipe(), EventLogReader(settings.database_url) as reader:
            last = reader.stream_version(stream)
            pages = reader.pages(stream, from_seq, last, page_size=PAGE_SIZE)
            printed = _print_envelopes(pages) if as_json else _print_table(pages, width=len(str(last)))
    except UnknownShowError:
        errors.print(f"no show {stream} in the event store", markup=False)
        raise typer.Exit(1) from None
    except psycopg.Error as error:
        errors.print(f"cannot read the event store: {error}".strip(), markup=False)
        raise typer.Exit(1) from None
    if printed == 0:
        errors.print(f"show {stream} has {last} event(s); none from seq {from_seq}", markup=False)


def tail(
    show_id: Annotated[
        str | None,
        typer.Option("--show", help="Only this show's events (by message key).", show_default=False),
    ] = None,
    as_json: AsJson = False,
    from_beginning: Annotated[
        bool, typer.Option("--from-beginning", help="Start at the oldest message, not the newest.")
    ] = False,
) -> None:
    """Follow the events topic live (no consumer group, no offsets committed); Ctrl-C stops."""
    from aiokafka.errors import KafkaError

    from cli.event_log.follow import NoSuchTopicError, follow
    from cli.event_log.summary import describe

    stream = None if show_id is None else _show_id(show_id)
    settings = _settings()
    out = Console(soft_wrap=True, highlight=False)

    def on_event(raw: bytes) -> None:
        if as_json:
            sys.stdout.buffer.write(raw + b"\n")
            sys.stdout.buffer.flush()
        else:
            out.print(_tail_line(describe(raw)))

    def on_ready(partitions: int) -> None:
        where = "the beginning" if from_beginning else "now"
        topic = settings.events_topic
        errors.print(f"following {topic} ({partitions} partitions) from {where}", markup=False)

    async def run(stop: asyncio.Event) -> None:
        await follow(
            settings.kafka_bootstrap_servers,
            settings.events_topic,
            stop,
            on_event,
            show_id=stream,
            from_beginning=from_beginning,
            on_ready=on_ready,
        )

    try:
        with _quiet_broken_pipe():
            asyncio.run(until_signalled(run))
    except KeyboardInterrupt:  # Ctrl-C before the loop's own handler was installed
        pass
    except NoSuchTopicError:
        errors.print(f"no topic {settings.events_topic} (run `boxoffice infra up`)", markup=False)
        raise typer.Exit(1) from None
    except KafkaError as error:
        errors.print(f"cannot reach Kafka at {settings.kafka_bootstrap_servers}: {error}", markup=False)
        raise typer.Exit(1) from None


def _show_id(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        errors.print(f"not a show id (a UUID): {text!r}", markup=False)
        raise typer.Exit(2) from None


def _settings() -> "CommandSettings":
    from command_side.settings import CommandSettings
    from infra.launcher import LauncherError
    from infra.services import resolve_services

    try:
        services = resolve_services()
    except LauncherError as error:
        errors.print(str(error), markup=False)
        raise typer.Exit(1) from None
    return CommandSettings(
        database_url=services.database_url, kafka_bootstrap_servers=services.kafka_bootstrap_servers
    )


def _print_envelopes(pages: Iterator[list["LoggedEvent"]]) -> int:
    printed = 0
    for page in pages:
        sys.stdout.buffer.write(b"".join(event.body + b"\n" for event in page))
        sys.stdout.buffer.flush()
        printed += len(page)
    return printed


def _print_table(pages: Iterator[list["LoggedEvent"]], width: int) -> int:
    """One table per page with the same fixed columns, so the pages read as one table."""
    from cli.event_log.summary import describe, short

    console = Console(highlight=False)
    if not console.is_terminal:  # piped or redirected: whole rows on one line each, for grep
        console.width = 240
    full_ids = console.width >= 150  # a narrow terminal gets short correlation ids (--json has them)
    printed = 0
    for page in pages:
        table = Table(box=box.SIMPLE_HEAD, show_header=printed == 0, pad_edge=False)
        table.add_column("seq", justify="right", min_width=max(width, 3), no_wrap=True)
        table.add_column("type", min_width=14, no_wrap=True, style="bold")
        table.add_column("occurred_at (UTC)", min_width=24, no_wrap=True)
        table.add_column("correlation_id", no_wrap=True, style="dim")
        table.add_column("summary", min_width=40, overflow="fold", ratio=1)
        for event in page:
            line = describe(event.body)
            table.add_row(
                str(event.seq),
                Text(line.event_type),
                _moment(line.occurred_at or event.occurred_at),
                ""
                if line.correlation_id is None
                else str(line.correlation_id)
                if full_ids
                else short(line.correlation_id),
                Text(line.summary),
            )
        console.print(table)
        printed += len(page)
    return printed


def _tail_line(line: "EventLine") -> Text:
    return Text.assemble(
        (_moment(line.occurred_at), "dim"),
        " ",
        (str(line.show_id or "?"), "cyan"),
        f" #{line.seq or '?'} ",
        (line.event_type, "bold"),
        f" {line.summary} ",
        (f"(correlation {line.correlation_id or '?'})", "dim"),
    )


def _moment(moment: datetime | None) -> str:
    """``2030-01-01T12:00:00.123Z``: UTC to the millisecond."""
    if moment is None:
        return "?"
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@contextmanager
def _quiet_broken_pipe() -> Iterator[None]:
    """``... | head`` closes the pipe early: stop printing, without a traceback."""
    try:
        yield
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(0) from None
