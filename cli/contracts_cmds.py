"""``boxoffice contracts``: the event contracts as files."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Event contracts.", no_args_is_help=True)


@app.command("export")
def export(directory: Annotated[Path, typer.Argument(help="Where to write the schemas.")]) -> None:
    """Write one JSON Schema per event type and version."""
    from contracts.schema_export import export_schemas

    for path in export_schemas(directory):
        Console().print(f"wrote {path}")
