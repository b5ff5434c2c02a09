"""A token bucket shared by every simulated customer, so ``--rate`` caps the whole load."""

import asyncio
import time
from collections.abc import Callable


class TokenBucket:
    """At most ``rate`` acquisitions per second on average, bursts up to ``burst``.

    Fair enough for load generation: waiters are served roughly in arrival order
    because each sleeps exactly until its own token is due.
    """

    def __init__(self, rate: float, burst: float | None = None, clock: Callable[[], float] = time.monotonic):
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._rate = rate
        self._burst = burst if burst is not None else max(1.0, rate / 10)
        self._clock = clock
        self._tokens = self._burst
        self._updated = clock()

    def reserve(self) -> float:
        """Take one token now and return how long to wait until it is due (0 if available)."""
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
        self._updated = now
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self._rate

    async def acquire(self) -> None:
        delay = self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)
