"""``boxoffice infra``: the local Kafka and PostgreSQL (placeholder until the launcher lands)."""

import typer

app = typer.Typer(help="Local Kafka and PostgreSQL.", no_args_is_help=True)
