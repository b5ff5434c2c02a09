"""``demo`` and ``status`` look, by default, where ``boxoffice up`` starts the stack's first processes."""

import inspect
from collections.abc import Callable
from typing import Any

from cli import command_cmds, demo_cmds, stack_cmds, status_cmds
from cli.stack_topology import PROJECTOR_METRICS_PORT, WORKER_METRICS_PORT, Topology, child_specs


def _defaults(command: Callable[..., Any]) -> dict[str, Any]:
    return {name: p.default for name, p in inspect.signature(command).parameters.items()}


def test_up_starts_the_topology_its_options_default_to() -> None:
    up = _defaults(stack_cmds.up)
    assert (
        Topology(host=up["host"], command_port=up["command_port"], query_port=up["query_port"]) == Topology()
    )


def test_demo_and_status_default_to_the_first_apis_up_starts() -> None:
    first = Topology()
    for command in (demo_cmds.demo, status_cmds.status):
        defaults = _defaults(command)
        assert (defaults["command_url"], defaults["query_url"]) == (
            first.command_urls[0],
            first.query_urls[0],
        )


def test_status_defaults_to_the_metrics_ports_up_gives_the_processes() -> None:
    specs = {spec.name: list(spec.argv) for spec in child_specs(Topology(), ["boxoffice"])}
    assert specs["command-worker"][-2:] == ["--metrics-port", str(WORKER_METRICS_PORT)]
    assert specs["projector"][-2:] == ["--metrics-port", str(PROJECTOR_METRICS_PORT)]
    defaults = _defaults(status_cmds.status)
    assert defaults["worker_metrics_url"].endswith(f":{WORKER_METRICS_PORT}")
    assert defaults["projector_metrics_url"].endswith(f":{PROJECTOR_METRICS_PORT}")


def test_the_command_processes_listen_where_up_expects_them_by_default() -> None:
    api, worker = _defaults(command_cmds.command_api), _defaults(command_cmds.command_worker)
    assert (api["host"], api["port"]) == (Topology().host, Topology().command_port)
    assert worker["metrics_port"] == WORKER_METRICS_PORT
