"""``boxoffice demo``: start the stack, put shows on sale and watch a simulated on-sale live."""

import asyncio
from typing import Annotated

import typer
from rich.console import Console

from cli.demo.api import Endpoints
from cli.demo.run import DemoOptions, run_demo
from cli.demo.setup import SetupError
from cli.demo.stack import StackError, ensure_stack, require_loopback
from cli.stack_topology import COMMAND_URL, QUERY_URL
from infra.settings import ApiKeySettings

app = typer.Typer(help="Demo on-sale.")


def _first_key(role: str) -> str:
    for key, key_role in ApiKeySettings().key_roles:
        if key_role == role:
            return key
    raise typer.BadParameter(f"BOXOFFICE_API_KEYS has no {role} key; the demo needs one of each role")


@app.command("demo")
def demo(
    *,
    shows: Annotated[int, typer.Option(min=1, max=20, help="Shows to put on sale.")] = 3,
    customers: Annotated[int, typer.Option(min=1, max=500, help="Concurrent customers.")] = 40,
    rate: Annotated[float, typer.Option(min=1, max=2000, help="Most requests/s, all customers.")] = 80,
    duration: Annotated[
        float | None, typer.Option(min=1, help="Stop after this many seconds (default: at Ctrl-C).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the customers' choices.")] = 7,
    keep_stack: Annotated[bool, typer.Option(help="Leave a stack the demo started running on exit.")] = False,
    command_url: Annotated[str, typer.Option(help="Command API.")] = COMMAND_URL,
    query_url: Annotated[str, typer.Option(help="Query API.")] = QUERY_URL,
) -> None:
    """Start (or reuse) the stack, create a venue and shows, and simulate customers buying seats.

    Shows commands/s, outcomes, sales and projection lag live; prints the
    dashboard URL and the API keys to try. Runs until Ctrl-C or --duration.
    """
    console = Console()
    try:
        endpoints = Endpoints(
            command_url=require_loopback(command_url),
            query_url=require_loopback(query_url),
            operator_key=_first_key("operator"),
            checkout_key=_first_key("checkout"),
            viewer_key=_first_key("viewer"),
        )
        with console.status("starting the stack (boxoffice up)…"):
            stack = ensure_stack(endpoints.command_url, endpoints.query_url)
    except StackError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print("stack " + ("started" if stack.started else "already running: reusing it"))
    try:
        asyncio.run(run_demo(endpoints, DemoOptions(shows, customers, rate, duration, seed), console))
    except SetupError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        pass
    finally:
        if keep_stack and stack.started:
            console.print("stack left running: `boxoffice down` stops it")
        else:
            stack.stop()
