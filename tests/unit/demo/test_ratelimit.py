"""The shared token bucket caps the average rate and allows only a bounded burst."""

import pytest

from cli.demo.ratelimit import TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_paced_at_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=10, burst=3, clock=clock)
    assert [bucket.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    # The fourth and fifth are due 0.1 s and 0.2 s from now.
    assert bucket.reserve() == pytest.approx(0.1)
    assert bucket.reserve() == pytest.approx(0.2)


def test_idle_time_refills_only_up_to_the_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=10, burst=2, clock=clock)
    bucket.reserve()
    bucket.reserve()
    clock.now = 100.0
    assert [bucket.reserve() for _ in range(2)] == [0.0, 0.0]
    assert bucket.reserve() > 0


def test_n_acquisitions_take_at_least_n_over_rate_after_the_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=50, burst=5, clock=clock)
    waits = [bucket.reserve() for _ in range(105)]
    assert max(waits) == pytest.approx(100 / 50)


def test_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        TokenBucket(rate=0)
