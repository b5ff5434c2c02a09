"""wrk command lines of the read benchmark, and the paced background load of holds.

Reads use ``benchmarks/wrk/reads.lua`` (closed loop) or ``reads_paced.lua``
(a steady rate through wrk's ``delay()``, see ``pacing.lua``); the background
holds use ``holds_paced.lua``: ``holds.lua``'s best-available holds at a steady
rate, run for as long as the measurements it accompanies and stopped with
SIGINT, on which wrk prints its result as at the end of a timed run.
"""

import asyncio
import signal
from collections.abc import Sequence
from dataclasses import dataclass, field

from benchmarks.config import CHECKOUT_KEY, VIEWER_KEY
from benchmarks.wrk import (
    SCRIPT,
    WrkError,
    WrkResult,
    kill_wrk,
    parse_result,
    start_wrk,
    wrk_argv,
    wrk_output,
)

READS_SCRIPT = SCRIPT.with_name("reads.lua")
READS_PACED_SCRIPT = SCRIPT.with_name("reads_paced.lua")
HOLDS_PACED_SCRIPT = SCRIPT.with_name("holds_paced.lua")
VIEWER_HEADER = f"Authorization: Bearer {VIEWER_KEY}"
CHECKOUT_HEADER = f"Authorization: Bearer {CHECKOUT_KEY}"
BACKGROUND_LIMIT_SECONDS = 3_600  # wrk's -d for the background; it is stopped long before
STOP_GRACE_SECONDS = 10.0


def reads_argv(
    binary: str,
    base_url: str,
    paths: Sequence[str],
    *,
    connections: int,
    seconds: float,
    rate: float | None = None,
    auth: bool = True,
) -> list[str]:
    """wrk -t1 over ``paths`` round robin: closed loop, or paced at ``rate`` requests/s."""
    options: dict[str, str | int] = {"paths": ",".join(paths)}
    if rate is not None:
        options["rate"] = f"{rate:g}"
    return wrk_argv(
        binary,
        base_url,
        connections=connections,
        seconds=seconds,
        options=options,
        headers=[VIEWER_HEADER] if auth else [],
        script=READS_PACED_SCRIPT if rate is not None else READS_SCRIPT,
    )


def holds_argv(
    binary: str,
    command_api: str,
    shows: Sequence[str],
    zones: Sequence[str],
    *,
    rate: float,
    connections: int,
    prefix: str,
) -> list[str]:
    """Best-available holds of one seat on ``shows`` at ``rate`` holds/s, until stopped.

    ``prefix`` starts every Idempotency-Key and customer id: give each run its own, since wrk's
    requests repeat from one run to the next (same counter, same seed), and a key sent again with
    the same body is answered from the stored answer, a replay that holds nothing."""
    options: dict[str, str | int] = {
        "mode": "best",
        "shows": ",".join(shows),
        "zones": ",".join(zones),
        "qmin": 1,
        "qmax": 1,
        "prefix": prefix,
        "rate": f"{rate:g}",
    }
    return wrk_argv(
        binary,
        command_api,
        connections=connections,
        seconds=BACKGROUND_LIMIT_SECONDS,
        options=options,
        headers=[CHECKOUT_HEADER],
        script=HOLDS_PACED_SCRIPT,
    )


@dataclass(slots=True)
class Background:
    """A wrk process running beside the measurements; ``stop`` interrupts it and reads its result."""

    argv: list[str]
    connections: int
    process: asyncio.subprocess.Process | None = field(default=None, init=False)

    async def start(self) -> None:
        self.process = await start_wrk(self.argv)

    def check_alive(self) -> None:
        if self.process is not None and self.process.returncode is not None:
            raise WrkError(f"the background wrk exited early with {self.process.returncode}")

    async def stop(self) -> WrkResult:
        """SIGINT (wrk then prints its result line), then its output; killed if it hangs."""
        process, self.process = self.process, None
        if process is None:
            raise WrkError("the background load was not started")
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        async with asyncio.timeout(STOP_GRACE_SECONDS):
            text = await wrk_output(process)
        return parse_result(text, self.connections)

    async def kill(self) -> None:
        """Kill it if it is still running (clean-up after a failure)."""
        process, self.process = self.process, None
        if process is not None:
            await kill_wrk(process)
