"""Starting and stopping the run's processes: each a child of this one, on loopback ports.

Children are :class:`~infra.launcher.child.ChildProcess` es: stopped through
their own process group only (SIGTERM, then SIGKILL after a grace period);
their output goes to one log file each under ``logs/``.
"""

import sys
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.config import AVAILABILITY_TTL_SECONDS, DASHBOARD_TTL_SECONDS
from benchmarks.environment import BenchEnv
from benchmarks.scenarios.endpoints import Endpoints
from infra.launcher.child import ChildProcess
from infra.launcher.proc import free_port

READY_TIMEOUT_SECONDS = 90.0


@dataclass
class Child(ChildProcess):
    """A process of the run; ``port`` is set when it serves HTTP."""

    port: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def exited(self) -> RuntimeError:
        code = self.process.returncode if self.process is not None else None
        return RuntimeError(f"{self.name} exited with {code}:\n{self.tail(20)}")


@dataclass(slots=True)
class Stack:
    env: BenchEnv
    logs: Path
    children: dict[str, Child] = field(default_factory=dict)

    def start(self, name: str, *args: str, http: bool = False) -> Child:
        """Start ``python -m benchmarks.serve ARGS`` (with ``--port`` when it serves HTTP)."""
        port = free_port() if http else None
        argv = [sys.executable, "-m", "benchmarks.serve", *args] + (["--port", str(port)] if port else [])
        child = self.children[name] = Child(
            name, argv, self.env.child_environment(), self.logs / f"{name}.log", port=port
        )
        child.start()
        return child

    def start_projector(self, name: str = "projector", *args: str, registry_prefix: str = "") -> Child:
        """The projector on the run's private topic, its versions registered under the run's prefix
        (or ``registry_prefix``: a replay's fresh versions); ``args`` go to ``boxoffice projector``."""
        env = self.env
        prefix = registry_prefix or env.registry_prefix
        topics = ("--topic", env.topic, "--dead-letter-topic", env.dead_letter_topic)
        return self.start(name, "projector", "--registry-prefix", prefix, *topics, *args)

    def start_baseline(self, name: str, *, cached: bool) -> Child:
        """The compute-on-read baseline on HTTP: with the replaced design's cache lifetimes when
        ``cached``, else with none (every request computes)."""
        availability, dashboard = (
            (str(AVAILABILITY_TTL_SECONDS), str(DASHBOARD_TTL_SECONDS)) if cached else ("0", "0")
        )
        return self.start(
            name, "baseline", "--availability-ttl", availability, "--dashboard-ttl", dashboard, http=True
        )

    def wait_ready(self, *names: str) -> None:
        """Block until each named HTTP child answers ``/healthz``; RuntimeError if one exits."""
        for name in names:
            child = self.children[name]
            child.wait_answering(f"{child.url}/healthz", READY_TIMEOUT_SECONDS)

    def check_alive(self, *names: str) -> None:
        """RuntimeError naming the first of ``names`` (default: all) that has exited."""
        for name in names or tuple(self.children):
            child = self.children[name]
            if not child.alive:
                raise child.exited()

    def stop(self, name: str, grace: float = 10.0) -> None:
        child = self.children.pop(name, None)
        if child is not None:
            child.stop(grace)

    def stop_all(self) -> None:
        for name in list(self.children):
            self.stop(name)


def start_services(stack: Stack) -> Endpoints:
    """Both baselines, the command API and worker, the projector and the query API; once all answer."""
    cold = stack.start_baseline("baseline-cold", cached=False)
    cached = stack.start_baseline("baseline-cached", cached=True)
    command = stack.start("command-api", "command-api", http=True)
    stack.start("command-worker", "command-worker")
    stack.start_projector()
    query = stack.start("query-api", "query-api", http=True)
    stack.wait_ready("baseline-cold", "baseline-cached", "command-api", "query-api")
    return Endpoints(cold.url, cached.url, query.url, command.url)


@dataclass(frozen=True, slots=True)
class CommandStack:
    """Base URLs of the command benchmark's stack."""

    command_api: str
    query_api: str
    command_api_workers: int


def start_command_stack(stack: Stack, workers: int) -> CommandStack:
    """The whole read-model stack without the baselines: the command API with ``workers`` processes
    (``boxoffice command-api --workers``), the command worker, the projector and the query API."""
    command = stack.start("command-api", "command-api", "--workers", str(workers), http=True)
    stack.start("command-worker", "command-worker")
    stack.start_projector()
    query = stack.start("query-api", "query-api", http=True)
    stack.wait_ready("command-api", "query-api")
    return CommandStack(command.url, query.url, workers)
