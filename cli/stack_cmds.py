"""``boxoffice up`` and ``boxoffice down``: the whole stack, supervised, in one command.

``up`` starts the local services unless they are configured externally,
applies migrations, creates the topics, then runs the command API, the command
worker, the projectors, the query API and the webhook dispatcher as supervised children (prefixed,
coloured logs; crashed children restarted with backoff; Ctrl-C stops them all:
SIGTERM, wait, SIGKILL). It says "ready" once both APIs answer ``/readyz``.
``up --detach`` runs the same supervisor in the background with logs in files
and a state file under the state dir; ``down`` stops it.
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from cli.options import optional_count
from cli.stack_setup import prepare, topology
from cli.stack_topology import COMMAND_PORT, HOST, QUERY_PORT, Topology, child_specs
from infra.launcher.child import answers
from infra.launcher.proc import cmdline, is_alive, port_is_free, stop_pid
from infra.settings import ServiceSettings
from infra.supervisor import Supervisor

console = Console()
COLORS = {
    "command-api": "cyan",
    "command-worker": "magenta",
    "projector": "yellow",
    "query-api": "green",
    "webhooks": "blue",
}
_MARKERS = ("boxoffice", "cli.main")


def _stack_dir() -> Path:
    return ServiceSettings().state_dir / "stack"


def _state_file() -> Path:
    return _stack_dir() / "stack.json"


def _read_state() -> dict[str, Any] | None:
    try:
        state: dict[str, Any] = json.loads(_state_file().read_text())
    except (OSError, ValueError):
        return None
    return state


def _write_state(state: dict[str, Any]) -> None:
    path = _state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2))
    tmp.replace(path)  # atomic: `down` never reads half a file


def _ours(pid: int) -> bool:
    """Alive and still one of our processes (a reused pid is not)."""
    return pid > 0 and is_alive(pid) and any(m in cmdline(pid) for m in _MARKERS)


def running_stack() -> dict[str, Any] | None:
    """The state of a running stack, or None (a stale state file is ignored)."""
    state = _read_state()
    return state if state and _ours(int(state.get("pid", 0))) else None


def boxoffice_argv() -> list[str]:
    """How to run ``boxoffice`` in this environment: the script beside this interpreter, else the module."""
    beside = Path(sys.executable).with_name("boxoffice")
    return [str(beside)] if beside.exists() else [sys.executable, "-c", "from cli.main import app; app()"]


def all_ready(urls: list[str]) -> bool:
    return all(answers(f"{url}/readyz") for url in urls)


def _console_sink(name: str, line: str) -> None:
    color = COLORS.get(name.rstrip("-0123456789"), "white")  # command-api-2 is a command-api
    console.print(f"[{color}]{name:>16} |[/] {escape(line)}", highlight=False, soft_wrap=True)


class _FileSink:
    """One log file per child (detached mode), opened once, line-buffered."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._directory = directory
        self._files: dict[str, Any] = {}

    def __call__(self, name: str, line: str) -> None:
        handle = self._files.get(name)
        if handle is None:
            handle = self._files[name] = (self._directory / f"{name}.log").open("a", buffering=1)
        handle.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {line}\n")


async def _supervise(topology: Topology, detached: bool, state: dict[str, Any]) -> None:
    sink = _FileSink(_stack_dir() / "logs") if detached else _console_sink

    def record(pids: dict[str, int]) -> None:
        _write_state({**state, "children": pids})

    supervisor = Supervisor(child_specs(topology, boxoffice_argv()), sink, on_pids=record)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, supervisor.stop)

    async def announce_ready() -> None:
        # Polling over HTTP is the only way to learn that another process is ready.
        ready = False
        while not ready:
            ready = await asyncio.to_thread(all_ready, topology.urls)
            if not ready:
                await asyncio.sleep(0.5)
        console.print(f"[bold green]ready[/]: {_apis(topology)}  (Ctrl-C stops)")

    watcher = asyncio.create_task(announce_ready())
    try:
        await supervisor.run()
    finally:
        watcher.cancel()
        console.print("stopped")


def _apis(topology: Topology) -> str:
    return f"command API {' '.join(topology.command_urls)}  query API {' '.join(topology.query_urls)}"


def up(
    *,
    detach: Annotated[
        bool, typer.Option("--detach", "-d", help="Run in the background; stop with `down`.")
    ] = False,
    host: Annotated[str, typer.Option(help="Address both APIs listen on.")] = HOST,
    command_port: Annotated[int, typer.Option(min=1, max=65535)] = COMMAND_PORT,
    query_port: Annotated[int, typer.Option(min=1, max=65535)] = QUERY_PORT,
    replicas: Annotated[
        int | None,
        optional_count(
            0,
            4,
            "BOXOFFICE_INFRA_REPLICAS",
            "PostgreSQL hot standbys of the local services [default: as last started, else 0].",
        ),
    ] = None,
    brokers: Annotated[
        int | None,
        optional_count(
            1,
            9,
            "BOXOFFICE_INFRA_BROKERS",
            "Kafka nodes of the local services [default: as last started, else 1]. With a replica "
            "or several brokers every process runs twice (APIs also on --*-port + 2).",
        ),
    ] = None,
    ready_timeout: Annotated[float, typer.Option(min=1, help="Seconds --detach waits for readiness.")] = 180,
    supervise: Annotated[bool, typer.Option(hidden=True, help="Internal: the detached supervisor.")] = False,
    instances: Annotated[int, typer.Option(hidden=True, help="Internal: of each process.")] = 1,
) -> None:
    """Start services, migrations, topics and every boxoffice process, supervised."""
    existing = running_stack()
    if existing and not supervise:
        console.print(f"the stack is already running (pid {existing['pid']}); `boxoffice down` stops it")
        raise typer.Exit(0 if detach else 1)
    if supervise:
        env = {k: v for k, v in os.environ.items() if k.startswith("BOXOFFICE_")}
    else:
        # Checked before and after the services start: the cluster doubles the ports in use.
        _refuse_busy_ports(Topology(host, command_port, query_port))
        env, instances = prepare(console, replicas, brokers)
    stack = topology(host, command_port, query_port, instances, env)
    if not supervise:
        _refuse_busy_ports(stack)
    state = {"pid": os.getpid(), "urls": stack.urls, "logs": str(_stack_dir() / "logs"), "children": {}}
    if detach and not supervise:
        _detach(stack, timeout=ready_timeout)
        return
    _write_state(state)
    try:
        asyncio.run(_supervise(stack, supervise, state))
    finally:
        if (_read_state() or {}).get("pid") == os.getpid():
            _state_file().unlink(missing_ok=True)


def _refuse_busy_ports(stack: Topology) -> None:
    busy = [str(p) for p in stack.ports if not port_is_free(stack.host, p)]
    if busy:
        console.print(
            f"[red]port {', '.join(busy)} on {stack.host} is in use[/]; choose others with --*-port"
        )
        raise typer.Exit(1)


def _detach(stack: Topology, *, timeout: float) -> None:
    argv = [*boxoffice_argv(), "up", "--supervise", "--host", stack.host, "--instances", str(stack.instances),
            "--command-port", str(stack.command_port), "--query-port", str(stack.query_port)]  # fmt: skip
    log_dir = _stack_dir() / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / "stack.log").open("a") as log:
        proc = subprocess.Popen(
            argv, env={**os.environ, **stack.env}, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,  # survives this terminal
        )  # fmt: skip
    _write_state({"pid": proc.pid, "urls": stack.urls, "logs": str(log_dir), "children": {}})
    deadline = time.monotonic() + timeout
    while not all_ready(stack.urls):
        if proc.poll() is not None:
            console.print(f"[red]the stack exited with status {proc.returncode}[/]; see {log_dir}/stack.log")
            raise typer.Exit(1)
        if time.monotonic() > deadline:
            console.print(f"[red]not ready after {timeout:.0f}s[/]; still starting, logs in {log_dir}")
            raise typer.Exit(1)
        time.sleep(0.5)
    console.print(f"[bold green]ready[/] (pid {proc.pid}): {_apis(stack)}")
    console.print(f"logs in {log_dir}; `boxoffice down` stops it")


def down(
    grace: Annotated[float, typer.Option(min=1, help="Seconds to wait before killing.")] = 30,
    infra: Annotated[bool, typer.Option("--infra", help="Also stop the local PostgreSQL and Kafka.")] = False,
) -> None:
    """Stop a stack started with `up` (SIGTERM, wait, then SIGKILL) and clean up its state."""
    state = _read_state()
    if state is None:
        console.print("the stack is not running")
    else:
        pid = int(state.get("pid", 0))
        if _ours(pid):
            clean = stop_pid(pid, grace)
            console.print(
                f"stopped the stack (pid {pid})" + ("" if clean else ", killed after the grace period")
            )
        for name, child in (state.get("children") or {}).items():
            if _ours(int(child)):  # left behind by a supervisor that was killed
                stop_pid(int(child), grace)
                console.print(f"stopped leftover {name} (pid {child})")
        _state_file().unlink(missing_ok=True)
    if infra:
        from infra.services import launcher_for

        settings = ServiceSettings()
        if settings.externally_configured:
            console.print("services are configured externally; left running")
        else:
            launcher_for(settings).down(lambda line: console.print(escape(line)))
