"""``python -m command_side``: the command side's commands without the ``boxoffice`` entry point."""

import typer

from cli import command_cmds

app = typer.Typer(no_args_is_help=True, pretty_exceptions_show_locals=False)
app.command("command-api")(command_cmds.command_api)
app.command("command-worker")(command_cmds.command_worker)
app.add_typer(command_cmds.events_app, name="events")

if __name__ == "__main__":
    app()
