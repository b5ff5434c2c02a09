"""When a failed delivery is tried again: exponential backoff with full jitter, for a bounded time."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

_RANDOM = random.Random()


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Delays double from ``base`` up to ``cap``; each is drawn in [delay/2, delay] so retries spread out."""

    base_seconds: float
    cap_seconds: float
    give_up_after_seconds: float

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        """The wait after the ``attempts``-th failed try (1 for the first)."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2.0 ** min(max(attempts - 1, 0), 60))
        return ceiling * (rng or _RANDOM).uniform(0.5, 1.0)

    def next_attempt(
        self, *, attempts: int, recorded_at: datetime, now: datetime, rng: random.Random | None = None
    ) -> datetime | None:
        """When to try again, or None once the delivery has been retried for long enough."""
        due = now + timedelta(seconds=self.delay(attempts, rng))
        if due - recorded_at > timedelta(seconds=self.give_up_after_seconds):
            return None
        return due
