"""What every benchmark run shares: private services around the measurements, failures per phase.

A run (:class:`IsolatedRun`) owns a private database and private topics
(``benchmarks.environment``) and a :class:`~benchmarks.stack.Stack` of child
processes. :func:`measure_isolated` creates the database and topics, measures,
and then always stops the stack (:meth:`IsolatedRun.close`) and, unless the
caller keeps them for inspection, drops the database and deletes the topics,
whether the measurements succeeded or not. A phase that fails is recorded in
``results["errors"]`` and reported; the run goes on with the next one.
"""

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from benchmarks import environment
from benchmarks.environment import BenchEnv
from benchmarks.stack import Stack

Progress = Callable[[str], None]


class IsolatedRun:
    """A run's environment, stack and results; subclasses define :meth:`measure`."""

    def __init__(self, env: BenchEnv, out_dir: Path, progress: Progress, results: dict[str, Any]) -> None:
        self.env, self.progress = env, progress
        self.stack = Stack(env, out_dir / "logs")
        self.results: dict[str, Any] = {**results, "errors": {}}

    async def phase(self, name: str, work: Callable[[], Awaitable[Any]]) -> bool:
        """Run one measurement; an exception is recorded as its error and reported, not raised."""
        try:
            await work()
        except Exception as error:  # one failed measurement must not lose the others
            self.results["errors"][name] = f"{type(error).__name__}: {error}"
            self.progress(f"  {name} failed: {error}")
            return False
        return True

    async def measure(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        """Stop every process the run started."""
        self.stack.stop_all()


async def measure_isolated(run: IsolatedRun, keep: bool) -> None:
    """Create the private database and topics, ``run.measure()``, then clean up (see the module)."""
    async with environment.private_services(run.env, keep=keep):
        try:
            await run.measure()
        finally:
            await run.close()
