"""The open-loop tail benchmark (``benchmarks.reads.open_tail``): ``--nice`` deprioritises the server,
not the load generator it starts."""

import asyncio
import os
import sys
import threading

import pytest

from benchmarks.reads.open_tail import Generator, Pauses, idle_lateness, probing, renice_this_thread

pytestmark = pytest.mark.integration


async def _child_niceness() -> int:
    """The niceness a process started from the running thread gets."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import os; print(os.getpriority(os.PRIO_PROCESS, 0))",
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await child.communicate()
    return int(out)


def test_a_process_the_generator_starts_keeps_the_niceness_the_server_thread_gives_up() -> None:
    """On a thread of its own (reniced for good: niceness is per thread and cannot be lowered back),
    as the benchmark's event loop: a child it starts inherits the new niceness (as wrk did), one the
    generator starts keeps the former."""
    base = os.getpriority(os.PRIO_PROCESS, 0)
    if base > 14:
        pytest.skip("already at the lowest priorities")
    seen: dict[str, int] = {}

    def server() -> None:
        generator = Generator()
        try:
            renice_this_thread(base + 5)
            seen["server's child"] = asyncio.run(_child_niceness())
            seen["generator's child"] = asyncio.run(generator.run(_child_niceness()))
        finally:
            generator.close()

    thread = threading.Thread(target=server)
    thread.start()
    thread.join()
    assert seen == {"server's child": base + 5, "generator's child": base}
    assert os.getpriority(os.PRIO_PROCESS, 0) == base  # this thread untouched


def test_the_loop_s_lateness_is_reported_beyond_the_idle_probe_s() -> None:
    pauses = Pauses(idle_ms=1.0)
    pauses.lags = [1.1, 1.2, 7.5, 1.0]  # how late each 1 ms sleep woke up
    line = pauses.line()
    assert line.startswith(
        "loop late beyond idle: p50 0.15 ms, p99 6.50 ms, max 6.5 ms (1 over 5 ms, 0 over 20 ms)"
    )


async def test_the_probe_is_stopped_and_awaited_when_the_case_ends() -> None:
    pauses = Pauses()
    before = asyncio.all_tasks()
    async with probing(pauses):
        await asyncio.sleep(0.05)
    assert pauses.lags
    assert asyncio.all_tasks() == before  # no probe left running or pending
    assert await idle_lateness(0.05) >= 0.0
