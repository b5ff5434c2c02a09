"""The stack supervisor with real child processes: relay, restart with backoff, stop, kill."""

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from infra.supervisor import ChildSpec, RestartPolicy, Supervisor
from tests.support.polling import eventually

pytestmark = pytest.mark.e2e

FAST = RestartPolicy(base_backoff_s=0.05, max_backoff_s=0.2, stable_s=60, grace_s=1.0)


def python(code: str) -> list[str]:
    return [sys.executable, "-u", "-c", code]


class Lines:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, name: str, line: str) -> None:
        self.seen.append((name, line))

    def of(self, name: str) -> list[str]:
        return [line for n, line in self.seen if n == name]


async def until(condition: Callable[[], bool], what: str) -> None:
    await eventually(condition, within=20.0, every=0.02, what=what)


async def test_lines_are_relayed_in_order_and_a_crash_is_restarted() -> None:
    lines = Lines()
    crasher = ChildSpec("crasher", python("print('one'); print('two'); raise SystemExit(3)"))
    steady = ChildSpec("steady", python("import time\nprint('up', flush=True)\ntime.sleep(60)"))
    supervisor = Supervisor([crasher, steady], lines, FAST)
    running = asyncio.create_task(supervisor.run())
    await until(lambda: supervisor.restarts["crasher"] >= 2, "two restarts of the crasher")
    supervisor.stop()
    await asyncio.wait_for(running, 20)
    crashed = lines.of("crasher")
    assert crashed[:3] == ["one", "two", "exited with status 3; restarting in 0s"]
    assert crashed.count("one") >= 2
    assert lines.of("steady") == ["up"]
    assert supervisor.restarts["steady"] == 0


async def test_stop_terminates_then_kills_a_child_that_ignores_sigterm(tmp_path: Path) -> None:
    lines = Lines()
    stubborn = ChildSpec(
        "stubborn",
        python("import signal as s, time\ns.signal(s.SIGTERM, s.SIG_IGN)\nprint('ready')\ntime.sleep(9)"),
    )
    polite = ChildSpec("polite", python("import time\nprint('ready')\ntime.sleep(60)"))
    supervisor = Supervisor([stubborn, polite], lines, FAST)
    running = asyncio.create_task(supervisor.run())
    await until(lambda: lines.of("stubborn") == lines.of("polite") == ["ready"], "both children ready")
    pids = supervisor.pids
    supervisor.stop()
    await asyncio.wait_for(running, 20)
    assert "did not stop within 1s; killing it" in lines.of("stubborn")
    assert lines.of("polite") == ["ready"]  # stopped by SIGTERM, never restarted
    for pid in pids.values():
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


async def test_grandchildren_stop_with_their_parent(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    code = (
        "import subprocess, sys, time\n"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(p.pid))\n"
        "time.sleep(60)"
    )
    supervisor = Supervisor([ChildSpec("parent", python(code))], Lines(), FAST)
    running = asyncio.create_task(supervisor.run())
    await until(lambda: pid_file.exists() and pid_file.read_text() != "", "the grandchild's pid file")
    grandchild = int(pid_file.read_text())
    supervisor.stop()
    await asyncio.wait_for(running, 20)

    def gone() -> bool:
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            return True
        # It may linger as a zombie of init for a moment; that counts as stopped.
        return Path(f"/proc/{grandchild}/stat").read_text().rpartition(")")[2].split()[0] == "Z"

    await until(gone, "the grandchild's end")


async def test_a_missing_executable_is_retried_not_fatal() -> None:
    lines = Lines()
    supervisor = Supervisor([ChildSpec("ghost", ["/nonexistent/boxoffice-ghost"])], lines, FAST)
    running = asyncio.create_task(supervisor.run())
    await until(lambda: supervisor.restarts["ghost"] >= 2, "two retries of the missing executable")
    supervisor.stop()
    await asyncio.wait_for(running, 20)
    assert lines.of("ghost")[0].startswith("could not start /nonexistent/boxoffice-ghost")


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RestartPolicy(base_backoff_s=1, max_backoff_s=8)
    assert [policy.delay(n) for n in range(1, 7)] == [1, 2, 4, 8, 8, 8]
