"""What the integration tests of the benchmarks share: a quick wrk benchmark run against the real
services, and the check that a run left nothing behind in them."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import psycopg
from aiokafka.admin import AIOKafkaAdminClient

from benchmarks.commands.durability import read_durability
from benchmarks.config import WrkBenchOptions
from benchmarks.isolated_run import Progress
from infra.db import libpq_dsn

Options = TypeVar("Options", bound=WrkBenchOptions)
Run = Callable[[Options, Progress], Awaitable[tuple[dict[str, Path], dict[str, str]]]]


@dataclass(frozen=True, slots=True)
class QuickRun(Generic[Options]):
    options: Options
    durable: bool  # whether the server flushes commits (the report's first lines say which)
    results: dict[str, Any]  # results.json
    report: str  # report.md


async def quick_run(
    kind: type[Options], run: Run[Options], database_url: str, kafka_bootstrap: str, out_dir: Path
) -> QuickRun[Options]:
    """``run`` at its smoke-test size on the given services; it must have measured every section."""
    durable = read_durability(database_url).durable
    options = kind(
        out_dir=out_dir,
        database_url=database_url,
        kafka_bootstrap=kafka_bootstrap,
        allow_non_durable=not durable,  # a development server may run without fsync: say so, measure
    ).as_quick()

    paths, errors = await run(options, lambda _: None)

    assert errors == {}
    return QuickRun(options, durable, json.loads(paths["json"].read_text()), paths["markdown"].read_text())


async def assert_nothing_left_behind(
    database_url: str, kafka_bootstrap: str, isolation: dict[str, Any]
) -> None:
    """The run's private database was dropped and its private topic deleted (``meta.isolation``)."""
    with psycopg.connect(libpq_dsn(database_url)) as conn:
        left = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (isolation["database"],)
        ).fetchone()
    assert left is None, "the private database was not dropped"
    assert not await _topic_exists(kafka_bootstrap, isolation["topic"]), "the private topic was not deleted"


async def _topic_exists(bootstrap: str, topic: str) -> bool:
    """Whether ``topic`` is still listed once deletion had a few seconds to reach the metadata."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        for _ in range(50):
            if topic not in await admin.list_topics():
                return False
            await asyncio.sleep(0.2)
        return True
    finally:
        await admin.close()
