"""A wrk process is never left running by a benchmark: reading its output killed on cancel or timeout.

Driven with ``sleep`` standing in for a wrk that hangs (the kill path does not
depend on what the process is); the output path is the real wrk's in
test_bench_reads_wrk.py and test_bench_wrk_script.py.
"""

import asyncio

import pytest

from benchmarks.wrk import kill_wrk, start_wrk, wrk_output

pytestmark = pytest.mark.integration
HANGS = ["sleep", "600"]


async def test_output_is_what_the_process_printed_once_it_exits() -> None:
    process = await start_wrk(["sh", "-c", "echo out; echo err >&2"])
    assert await wrk_output(process) == "out\nerr\n"  # stderr joins stdout
    assert process.returncode == 0


async def test_a_cancelled_read_kills_the_process() -> None:
    process = await start_wrk(HANGS)
    reading = asyncio.create_task(wrk_output(process))
    await asyncio.sleep(0.2)
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading
    assert process.returncode is not None


async def test_a_read_that_times_out_kills_the_process() -> None:
    process = await start_wrk(HANGS)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await wrk_output(process)
    assert process.returncode is not None


async def test_killing_a_process_that_has_exited_is_nothing_to_do() -> None:
    process = await start_wrk(["true"])
    await process.wait()
    await kill_wrk(process)
    assert process.returncode == 0
