"""One run of a wrk benchmark (``benchmarks.commands``, ``benchmarks.reads``), from wrk to its record.

:func:`run_wrk_bench` finds (or installs) wrk, reads PostgreSQL's durability
and refuses a non-durable server before anything is created (unless allowed),
then measures in a private database and topic (:func:`measure_isolated`: its
clean-up always runs) and records in the results the durability read before
and after and the run's ``meta``: the entries every wrk run has, the
benchmark's own, the source measured, then the isolation.
"""

import asyncio
import os
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from benchmarks import environment
from benchmarks.commands.durability import Durability, check_durability, durability_record, read_durability
from benchmarks.config import WrkBenchOptions
from benchmarks.environment import BenchEnv
from benchmarks.isolated_run import IsolatedRun, Progress, measure_isolated
from benchmarks.wrk import ensure_wrk, wrk_version
from infra.settings import REPO_ROOT


class WrkBench(IsolatedRun):
    """A wrk benchmark's run; :meth:`measure` sets ``durability_after`` once it has measured."""

    def __init__(
        self, env: BenchEnv, options: WrkBenchOptions, wrk: str, progress: Progress, results: dict[str, Any]
    ) -> None:
        super().__init__(env, options.out_dir, progress, results)
        self.wrk = wrk
        self.durability_after: Durability | None = None


B = TypeVar("B", bound=WrkBench)


async def run_wrk_bench(
    options: WrkBenchOptions,
    start: Callable[[BenchEnv, str], B],
    details: Callable[[B], dict[str, Any]],
    progress: Progress,
) -> dict[str, Any]:
    """Measure with the run ``start(env, wrk)`` makes; its results, with ``durability`` and ``meta``
    (``details(run)`` gives the benchmark's own meta entries).

    Raises NotDurableError (before creating anything) on a non-durable server
    unless ``options.allow_non_durable``, and WrkError when wrk is missing.
    """
    began, started_at = time.monotonic(), datetime.now(UTC)
    wrk = ensure_wrk(options.install)
    env = environment.new_env(options.database_url, options.kafka_bootstrap)
    durability = await asyncio.to_thread(read_durability, env.admin_url)
    check_durability(durability, options.allow_non_durable)
    progress(f"run {env.run_id}: database {env.database_name}, topic {env.topic}; {durability.settings}")
    bench = start(env, wrk)
    await measure_isolated(bench, options.keep)
    results = bench.results
    results["durability"] = durability_record(durability, bench.durability_after, options.allow_non_durable)
    results["meta"] = {
        "run_id": env.run_id,
        "started_at": started_at.isoformat(),
        "duration_s": round(time.monotonic() - began, 1),
        "load_average_at_end": [round(v, 2) for v in os.getloadavg()],
        "wrk": wrk_version(wrk),
        "wrk_threads": 1,
        **details(bench),
        "isolation": {"database": env.database_name, "topic": env.topic, "kept": options.keep},
    }
    return results


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    return done.stdout if done.returncode == 0 else ""


def source_state() -> dict[str, Any]:
    """The commit measured, and whether command_side/ had uncommitted changes (others may be
    changing it while the benchmark runs)."""
    return {
        "commit": _git("rev-parse", "--short", "HEAD").strip() or "unknown",
        "command_side_uncommitted": bool(_git("status", "--porcelain", "--", "command_side").strip()),
    }


def uncommitted(folders: tuple[str, ...]) -> list[str]:
    """Which of ``folders`` had uncommitted changes (others may change them while this runs)."""
    status = _git("status", "--porcelain", "--", *folders)
    changed = {line[3:].split("/", 1)[0] for line in status.splitlines() if len(line) > 3}
    return sorted(changed & set(folders))
