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


@app.command("asyncapi")
def asyncapi(
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
    as_yaml: Annotated[bool, typer.Option("--yaml", help="YAML instead of JSON.")] = False,
) -> None:
    """Write the AsyncAPI 3.0 document of the events, dead letters and webhook deliveries."""
    import json

    from contracts.asyncapi import asyncapi_document

    document = asyncapi_document()
    if as_yaml:
        import yaml

        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    else:
        text = json.dumps(document, indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text)
    Console(stderr=True).print(f"wrote {out}")
