"""Fixtures of the fault tests: a PRIVATE Kafka + PostgreSQL pair that tests may kill, and stacks on it.

The private services run from the project's launcher with their own state
dir (in /tmp, readable by the ``postgres`` user) and free ports, so killing
and restarting them disturbs nobody; they are stopped and deleted at the end
of the session. Every scenario appends its figures to a JSON-lines file
(``BOXOFFICE_RELIABILITY_FIGURES``, default in the system temp dir) from
which docs/reliability.md quotes.
"""

import asyncio
import json
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.launcher import Launcher
from infra.migrations.runner import upgrade
from infra.settings import ServiceSettings
from tests.reliability.harness.checks_write import Offset
from tests.reliability.harness.load import Load
from tests.reliability.harness.stack import Services, Stack
from tests.support.launcher import isolated_launcher

FIGURES = Path(
    os.environ.get(
        "BOXOFFICE_RELIABILITY_FIGURES", Path(tempfile.gettempdir()) / "boxoffice-reliability.jsonl"
    )
)
StackFactory = Callable[..., Stack]


@pytest.fixture(scope="session")
def private_launcher() -> Iterator[Launcher]:
    """A launcher of our own: state dir in /tmp (PostgreSQL runs as ``postgres``), free ports."""
    with isolated_launcher("boxoffice-reliability-", kafka_heap="512m") as launcher:
        launcher.up()
        upgrade(
            launcher.settings.database_url,
            reader_password=ServiceSettings().reader_password.get_secret_value(),
        )
        yield launcher


@pytest.fixture(scope="session")
def private_services(private_launcher: Launcher) -> Services:
    s = private_launcher.settings
    return Services(s.database_url, s.kafka_bootstrap_servers)


@pytest.fixture(scope="session")
def injected_poison() -> set[Offset]:
    """Poison records injected into the private topic so far; every later run must dead-letter them too."""
    return set()


@pytest.fixture
def make_stack(private_services: Services, tmp_path: Path) -> Iterator[StackFactory]:
    """Builds stacks on the private services; every process of them is stopped at teardown."""
    stacks: list[Stack] = []

    def factory(**options: Any) -> Stack:
        stack = Stack(private_services, tmp_path / f"logs-{len(stacks)}", **options)
        stacks.append(stack)
        return stack

    yield factory
    for stack in stacks:
        stack.stop()


@pytest.fixture
async def load_for() -> AsyncIterator[Callable[[Stack], Load]]:
    loads: list[Load] = []

    def factory(stack: Stack) -> Load:
        load = Load(stack.api_urls, stack.keys)
        loads.append(load)
        return load

    yield factory
    for load in loads:
        await load.close()


@pytest.fixture
async def started_stack(make_stack: StackFactory, load_for: Callable[[Stack], Load]) -> tuple[Stack, Load]:
    """A stack of the default shape on the private services, started, and its load with the shows set up."""
    stack = make_stack()
    await asyncio.to_thread(stack.start)
    load = load_for(stack)
    await load.setup()
    return stack, load


@pytest.fixture
def record_figures(request: pytest.FixtureRequest) -> Callable[[dict[str, Any]], None]:
    def record(figures: dict[str, Any]) -> None:
        line = {"test": request.node.nodeid, **figures}
        print(json.dumps(line, indent=1, default=str))  # shown with -s, kept for the docs
        with FIGURES.open("a") as out:
            out.write(json.dumps(line, default=str) + "\n")

    return record
