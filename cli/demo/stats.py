"""What the simulator counts: commands by kind and outcome, throughput, and its own sales.

Pure bookkeeping (the clock is passed in), so the display and the tests read
the same figures. Single-threaded by design: every customer runs on one event
loop, so no lock is needed.
"""

from collections import Counter, deque
from dataclasses import dataclass, field

COMMAND_KINDS = ("hold", "release", "order", "pay", "cancel")
# How far back commands/s looks: long enough to be steady, short enough to react.
RATE_WINDOW_SECONDS = 5


def outcome_of(status: int | None) -> str:
    """``ok``, ``conflict`` (409), ``rejected`` (other 4xx), ``error`` (5xx) or ``transport``."""
    if status is None:
        return "transport"
    if status < 400:
        return "ok"
    if status == 409:
        return "conflict"
    if status < 500:
        return "rejected"
    return "error"


@dataclass
class DemoStats:
    started_at: float
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    journeys: Counter[str] = field(default_factory=Counter)
    tickets_sold: int = 0
    revenue_cents: int = 0
    refunded_cents: int = 0
    seat_retries: int = 0
    # Highest stream position (seq) each show reached in an accepted command's consistency token.
    accepted_seq: dict[str, int] = field(default_factory=dict)
    _per_second: deque[tuple[int, int]] = field(default_factory=deque)
    _latencies: deque[float] = field(default_factory=lambda: deque(maxlen=2000))

    def record(self, kind: str, status: int | None, now: float, latency: float) -> None:
        """Count one command answered (or failed in transport) at ``now``."""
        self.outcomes[(kind, outcome_of(status))] += 1
        if status is not None:
            self.statuses[status] += 1
        self._latencies.append(latency)
        second = int(now)
        if self._per_second and self._per_second[-1][0] == second:
            self._per_second[-1] = (second, self._per_second[-1][1] + 1)
        else:
            self._per_second.append((second, 1))
        while self._per_second and self._per_second[0][0] <= second - RATE_WINDOW_SECONDS - 1:
            self._per_second.popleft()

    def commands_per_second(self, now: float) -> float:
        """Mean rate over the last complete seconds of the window."""
        current = int(now)
        window = [n for s, n in self._per_second if current - RATE_WINDOW_SECONDS <= s < current]
        span = min(RATE_WINDOW_SECONDS, max(1.0, now - self.started_at))
        return sum(window) / span

    def total(self, kind: str | None = None, outcome: str | None = None) -> int:
        return sum(
            n
            for (k, o), n in self.outcomes.items()
            if (kind is None or k == kind) and (outcome is None or o == outcome)
        )

    def latency_ms(self, quantile: float) -> float | None:
        """A quantile of recent command latencies in milliseconds, or None before any."""
        if not self._latencies:
            return None
        ordered = sorted(self._latencies)
        index = min(len(ordered) - 1, int(quantile * len(ordered)))
        return ordered[index] * 1000

    def saw_token(self, token: object) -> None:
        """Note a ``ct1.<show_id>.<seq>`` consistency token; anything else is ignored."""
        parts = token.split(".") if isinstance(token, str) else []
        if len(parts) == 3 and parts[0] == "ct1" and parts[1] != "-" and parts[2].isdigit():
            show, seq = parts[1], int(parts[2])
            self.accepted_seq[show] = max(seq, self.accepted_seq.get(show, 0))

    def paid(self, seats: int, amount_cents: int) -> None:
        self.tickets_sold += seats
        self.revenue_cents += amount_cents

    def cancelled_paid(self, seats: int, refunded_cents: int) -> None:
        self.tickets_sold -= seats
        self.revenue_cents -= refunded_cents
        self.refunded_cents += refunded_cents
