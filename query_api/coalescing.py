"""Builds of one resource coalesced like a group commit: at most one in flight per variant.

Under write load a resource spanning every show (the whole dashboard) has a new
version for almost every read, so sharing builds among readers of one ETag
(``SingleFlight``) shares almost nothing: readers arriving at successive
versions each start a build. Here the builds of one variant queue instead: at
most one runs; the readers that cannot use it wait for the next one, which
starts when the running one ends and serves all of them. Builds per second are
then bounded by the build time, not by the number of readers.

Exactness (the rules of #14). A build reads its snapshot after it starts. A
reader takes the answer of:

- a build that started after the reader arrived: its snapshot is at least as
  new as every watermark the process had seen at the reader's arrival, and as
  the database state against which the reader's token was checked before it
  arrived; or
- the running build that started before the reader arrived, only when the
  reader's token is satisfied by memory and memory's version of the resource
  was the same when that build started as at the reader's arrival: memory's
  watermarks only grow, so the build's snapshot is then at least as new as what
  memory held at the reader's arrival, which satisfies the token.

Any other reader waits for the running build to end and takes the next one.
So an answer is never older than a token its reader was given, nor than the
last watermark the process had seen when the reader arrived. Each answer
carries the version it was read at (the caller derives the ETag from it).

A build runs as a task of its own, so a reader that leaves (a cancelled
request) cancels nobody's build; a build that fails fails every reader that
took it (they asked for the same resource at the same moment). Event loop
only; no locking.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
MemoryVersion = Callable[[], str | None]  # memory's version of the resource now; None: not to be relied on


class _Build(Generic[T]):
    """One build of a variant: what it runs, the memory version when it started, its answer."""

    __slots__ = ("answer", "load", "memory", "started_at", "task")

    def __init__(self, load: Callable[[], Awaitable[T]], memory: MemoryVersion) -> None:
        self.load = load
        self.memory = memory
        self.started_at: str | None = None  # memory's version of the resource when it started
        self.answer: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self.answer.add_done_callback(_retrieve)
        self.task: asyncio.Task[None] | None = None


class BuildCoalescer(Generic[T]):
    """See the module docstring. ``builds`` counts the builds started (for tests and profiles)."""

    def __init__(self) -> None:
        self._running: dict[str, _Build[T]] = {}
        self._next: dict[str, _Build[T]] = {}
        self.builds = 0

    async def answer(
        self, variant: str, seen: str | None, memory: MemoryVersion, load: Callable[[], Awaitable[T]]
    ) -> T:
        """The answer of a build of ``variant`` this reader may take (see the module docstring).

        ``seen``: memory's version of the resource at this reader's arrival, when
        memory satisfies its token (else None); ``memory``: the same, read at a
        build's start; ``load``: the build (reads a snapshot, then its body).
        """
        running = self._running.get(variant)
        if running is None:
            build = self._start(variant, _Build(load, memory))
        elif seen is not None and running.started_at == seen:
            build = running
        else:
            queued = self._next.get(variant)
            if queued is None:
                queued = self._next[variant] = _Build(load, memory)
            build = queued
        return await asyncio.shield(build.answer)

    def running(self, variant: str) -> bool:
        return variant in self._running

    def _start(self, variant: str, build: _Build[T]) -> _Build[T]:
        self._running[variant] = build
        build.started_at = build.memory()
        build.task = asyncio.create_task(self._run(variant, build), name=f"build {variant}")
        self.builds += 1
        return build

    async def _run(self, variant: str, build: _Build[T]) -> None:
        try:
            build.answer.set_result(await build.load())
        except asyncio.CancelledError:  # shutting down: nothing more is built
            del self._running[variant]
            for pending in (build, self._next.pop(variant, None)):
                if pending is not None:
                    pending.answer.cancel()
            raise
        except Exception as error:  # the answer of every reader that took the build
            build.answer.set_exception(error)
        del self._running[variant]
        following = self._next.pop(variant, None)
        if following is not None:
            self._start(variant, following)


def _retrieve(answer: asyncio.Future[Any]) -> None:
    """Marks a failure as seen: every reader may have left before the build ended."""
    if not answer.cancelled():
        answer.exception()
