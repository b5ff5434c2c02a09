"""A small process supervisor: run child processes, relay their output, restart crashes.

Guarantees:
- each child runs in its own session, so a terminal's Ctrl-C reaches only the
  supervisor, which then stops the children in order: SIGTERM to each child's
  process group, wait up to ``grace_s``, then SIGKILL;
- a child that exits while the supervisor is not stopping is restarted after
  an exponential backoff (``base_backoff_s`` doubling up to ``max_backoff_s``),
  reset once a run has lasted ``stable_s``;
- every line a child writes (stdout and stderr) goes to the sink with the
  child's name, in the order the child wrote it.
"""

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from infra.launcher.proc import signal_group

# Receives (child name, line without newline); the caller prefixes and colours it or writes a file.
LineSink = Callable[[str, str], None]
# Called with the pids of the running children whenever one starts or stops.
PidsChanged = Callable[[dict[str, int]], None]
_MAX_LINE = 1 << 20


@dataclass(frozen=True, slots=True)
class ChildSpec:
    """One supervised process: a name, its argv, and environment overrides."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    base_backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    stable_s: float = 30.0
    grace_s: float = 10.0

    def delay(self, failures: int) -> float:
        """Backoff before restart number ``failures`` (1-based) of a child that keeps crashing."""
        return min(self.max_backoff_s, self.base_backoff_s * 2.0 ** max(0, failures - 1))


class Supervisor:
    """Runs ``specs`` until :meth:`stop`; see the module docstring for the guarantees."""

    def __init__(
        self,
        specs: Sequence[ChildSpec],
        sink: LineSink,
        policy: RestartPolicy | None = None,
        on_pids: PidsChanged | None = None,
    ) -> None:
        self._specs = list(specs)
        self._sink = sink
        self._policy = policy or RestartPolicy()
        self._on_pids = on_pids
        self._stopping = asyncio.Event()
        self._procs: dict[str, asyncio.subprocess.Process] = {}
        self.restarts: dict[str, int] = {spec.name: 0 for spec in specs}

    def stop(self) -> None:
        """Ask every child to stop; :meth:`run` returns once they have."""
        self._stopping.set()

    @property
    def pids(self) -> dict[str, int]:
        return {name: proc.pid for name, proc in self._procs.items() if proc.returncode is None}

    async def run(self) -> None:
        """Supervise until :meth:`stop`, then terminate the children and return."""
        loops = [asyncio.create_task(self._keep_running(spec), name=spec.name) for spec in self._specs]
        await self._stopping.wait()
        # The loops see the stop and start nothing new; one may be spawning right now,
        # so terminate until every loop has returned rather than cancelling them.
        pending = set(loops)
        while pending:
            await asyncio.gather(*(self._terminate(name) for name in list(self._procs)))
            _, pending = await asyncio.wait(pending, timeout=0.5)
        for task in loops:
            task.result()  # surface a supervisor bug instead of hiding it

    async def _keep_running(self, spec: ChildSpec) -> None:
        failures = 0
        while not self._stopping.is_set():
            started = time.monotonic()
            code = await self._run_once(spec)
            if self._stopping.is_set():
                return
            failures = 1 if time.monotonic() - started >= self._policy.stable_s else failures + 1
            delay = self._policy.delay(failures)
            self._sink(spec.name, f"exited with status {code}; restarting in {delay:.0f}s")
            self.restarts[spec.name] += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)

    async def _run_once(self, spec: ChildSpec) -> int | None:
        try:
            proc = await asyncio.create_subprocess_exec(
                *spec.argv,
                env={**os.environ, **spec.env},
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,  # our Ctrl-C handling decides when children stop
                limit=_MAX_LINE,
            )
        except OSError as error:
            self._sink(spec.name, f"could not start {spec.argv[0]}: {error}")
            return None
        self._procs[spec.name] = proc
        self._pids_changed()
        try:
            assert proc.stdout is not None
            await self._relay(spec.name, proc.stdout)
            return await proc.wait()
        finally:
            self._pids_changed()

    async def _relay(self, name: str, stream: asyncio.StreamReader) -> None:
        while True:
            try:
                line = await stream.readline()
            except ValueError:  # a line longer than the limit: pass on what we have
                line = await stream.read(_MAX_LINE)
            if not line:
                return
            self._sink(name, line.decode(errors="replace").rstrip("\r\n"))

    async def _terminate(self, name: str) -> None:
        proc = self._procs[name]
        if proc.returncode is not None:
            return
        signal_group(proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), self._policy.grace_s)
        except TimeoutError:
            self._sink(name, f"did not stop within {self._policy.grace_s:.0f}s; killing it")
            signal_group(proc.pid, signal.SIGKILL)
            await proc.wait()

    def _pids_changed(self) -> None:
        if self._on_pids is not None:
            self._on_pids(self.pids)
