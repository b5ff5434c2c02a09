"""The ``boxoffice`` command: one entry point, one sub-command group per concern.

Each group lives in its own module and imports the side it drives lazily, so
``boxoffice infra up`` does not load FastAPI and the sides stay independent.
"""

import typer

from cli import contracts_cmds, db_cmds, infra_cmds

app = typer.Typer(
    name="boxoffice",
    help="Event-driven CQRS back end for reserved-seat ticket sales.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(infra_cmds.app, name="infra")
app.add_typer(db_cmds.app, name="db")
app.add_typer(contracts_cmds.app, name="contracts")
