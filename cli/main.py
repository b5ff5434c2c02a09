"""The ``boxoffice`` command: one entry point, one sub-command group per concern.

Each group lives in its own module and imports the side it drives lazily, so
``boxoffice infra up`` does not load FastAPI and the sides stay independent.
"""

import typer

from cli import (
    bench_cmds,
    command_cmds,
    contracts_cmds,
    db_cmds,
    demo_cmds,
    infra_cmds,
    projection_cmds,
    query_cmds,
    stack_cmds,
    status_cmds,
    webhook_cmds,
)

app = typer.Typer(
    name="boxoffice",
    help="Event-driven CQRS back end for reserved-seat ticket sales.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(infra_cmds.app, name="infra")
app.add_typer(db_cmds.app, name="db")
app.add_typer(contracts_cmds.app, name="contracts")
app.add_typer(projection_cmds.projections_app, name="projections")
app.add_typer(projection_cmds.dlq_app, name="dlq")
app.add_typer(command_cmds.events_app, name="events")
app.command("command-api")(command_cmds.command_api)
app.command("command-worker")(command_cmds.command_worker)
app.command("projector")(projection_cmds.projector)
app.command("query-api")(query_cmds.query_api)
app.command("webhooks")(webhook_cmds.webhooks)
app.command("up")(stack_cmds.up)
app.command("down")(stack_cmds.down)
app.command("demo")(demo_cmds.demo)
app.command("bench")(bench_cmds.bench)
app.command("status")(status_cmds.status)
