"""wrk's figures checked against this machine's monotonic clock.

wrk times its run and every request with the wall clock (``gettimeofday``).
When the wall clock steps forward (a time-sync correction, a paused virtual
machine catching up), every request in flight at the step looks that much
slower, the run looks that much longer (so its rate that much lower), and wrk's
coordinated-omission correction turns those few long samples into a p99.
Nothing in the stack was slow then. Run ``1b234eacc6`` had three such cases,
each taking longer by wrk's count than its longest request took (11.1 s with a
1.06 s max, 12.8 s with 2.9 s, 28.2 s with 18.3 s), and the sum of wrk's case
durations with its floor levels, idle waits and set-up (404.7 s) exceeded the
whole run's duration on the monotonic clock (393.5 s).

So every wrk run of a case is also timed on the monotonic clock, with the wall
clock's offset from it read before and after: ``stepped`` says the wall clock
moved by more than ``STEP_TOLERANCE_S`` during the run, and the benchmark then
reports it and runs the case again.
"""

import time
from dataclasses import dataclass

from benchmarks.wrk import WrkResult, run_wrk

STEP_TOLERANCE_S = 0.25  # normal clock slewing moves the offset by microseconds in a case
ATTEMPTS = 3  # a case whose every run saw a step is reported with its last run's figures


def wall_offset() -> float:
    """The wall clock minus the monotonic clock, in seconds (constant unless the wall clock steps)."""
    return time.time() - time.monotonic()


@dataclass(frozen=True, slots=True)
class ClockedRun:
    """One wrk run, its duration on the monotonic clock and how far the wall clock stepped meanwhile."""

    result: WrkResult
    monotonic_s: float
    wall_step_s: float

    @property
    def stepped(self) -> bool:
        """wrk's clock left the monotonic one: its latencies and rate include the step."""
        ahead = self.result.seconds - self.monotonic_s
        return abs(self.wall_step_s) > STEP_TOLERANCE_S or ahead > STEP_TOLERANCE_S

    def describe(self) -> dict[str, float]:
        return {
            "wrk_seconds": self.result.seconds,
            "monotonic_s": round(self.monotonic_s, 3),
            "wall_step_s": round(self.wall_step_s, 3),
        }


async def run_clocked(argv: list[str], connections: int) -> ClockedRun:
    """``run_wrk`` timed on the monotonic clock, with the wall clock's step over the run."""
    offset, began = wall_offset(), time.monotonic()
    result = await run_wrk(argv, connections)
    return ClockedRun(result, time.monotonic() - began, wall_offset() - offset)
