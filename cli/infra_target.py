"""What an ``infra`` command acts on: the options every such command shares, declared once.

``--local``, ``--state-dir`` and the three ports are the fields of
:class:`Target`; :func:`with_target` puts them, in that order, ahead of a
command's own options (names, defaults and help exactly as declared here) and
hands the command one ``Target``. A target is the configured external services
unless ``--local`` is given or none are configured, else the local launcher
with the given state dir and ports over its settings.
"""

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from infra.launcher import Launcher, LauncherSettings
from infra.services import Services, resolve_services
from infra.settings import ServiceSettings

StateDir = Annotated[
    Path | None, typer.Option(help="Data, logs and pid files [env BOXOFFICE_STATE_DIR; default var/].")
]
KafkaPort = Annotated[int | None, typer.Option(help="Kafka client port [default 19092].")]
ControllerPort = Annotated[int | None, typer.Option(help="Kafka controller port [default 19093].")]
PostgresPort = Annotated[int | None, typer.Option(help="PostgreSQL port [default 54329].")]
Local = Annotated[bool, typer.Option("--local", help="Use the local launcher even if the env vars are set.")]


@dataclass(frozen=True)
class Target:
    """The shared options of an ``infra`` command, as given (``None``: from the settings)."""

    local: Local = False
    state_dir: StateDir = None
    kafka_port: KafkaPort = None
    kafka_controller_port: ControllerPort = None
    postgres_port: PostgresPort = None

    def external(self) -> Services | None:
        """The configured services, unless ``--local`` or they are not configured."""
        settings = ServiceSettings()
        if self.local or not (settings.database_url or settings.kafka_bootstrap_servers):
            return None
        return resolve_services(settings=settings)

    def launcher(self, replicas: int | None = None, brokers: int | None = None) -> Launcher:
        """The local launcher: its settings with every option given (and the topology asked for) over them."""
        overrides = {
            "state_dir": self.state_dir.resolve() if self.state_dir else None,
            "kafka_port": self.kafka_port,
            "kafka_controller_port": self.kafka_controller_port,
            "postgres_port": self.postgres_port,
            "infra_replicas": replicas,
            "infra_brokers": brokers,
        }
        base = LauncherSettings()
        return Launcher(base.model_copy(update={k: v for k, v in overrides.items() if v is not None}))


def with_target(command: Callable[..., None]) -> Callable[..., None]:
    """``command(target, **own options)`` as a typer command taking the shared options, then its own."""
    shared = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in inspect.signature(Target).parameters.values()
    ]
    own = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
        for p in list(inspect.signature(command, eval_str=True).parameters.values())[1:]
    ]

    @functools.wraps(command)
    def run(**options: Any) -> None:
        command(Target(**{p.name: options.pop(p.name) for p in shared}), **options)

    run.__signature__ = inspect.Signature([*shared, *own])  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in (*shared, *own)} | {"return": None}
    return run
