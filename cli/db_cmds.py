"""``boxoffice db``: schema migrations."""

import psycopg
import typer
from rich.console import Console

from infra.launcher import LauncherError
from infra.migrations.runner import upgrade as run_upgrade
from infra.services import resolve_services

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply pending migrations of the write and read schemas (idempotent)."""
    console = Console()
    try:
        services = resolve_services()
        applied = run_upgrade(services.database_url, services.settings.reader_password.get_secret_value())
    except LauncherError as error:
        console.print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(1) from None
    except psycopg.OperationalError as error:
        console.print(f"[bold red]error:[/] cannot reach the database: {error}", highlight=False)
        raise typer.Exit(1) from None
    for migration in applied:
        console.print(f"applied {migration.area}/{migration.version:04d}_{migration.name}")
    console.print("database is up to date" if not applied else f"{len(applied)} migration(s) applied")
