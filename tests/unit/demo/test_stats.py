"""The simulator's counters: outcomes by status class, throughput window, sales bookkeeping."""

import pytest

from cli.demo.stats import DemoStats, outcome_of


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, "ok"),
        (201, "ok"),
        (409, "conflict"),
        (422, "rejected"),
        (404, "rejected"),
        (503, "error"),
        (None, "transport"),
    ],
)
def test_outcome_classes(status: int | None, outcome: str) -> None:
    assert outcome_of(status) == outcome


def test_counts_by_kind_and_outcome() -> None:
    stats = DemoStats(started_at=0.0)
    for status in (201, 201, 409, 500):
        stats.record("hold", status, now=1.0, latency=0.01)
    stats.record("pay", 200, now=1.0, latency=0.02)
    assert stats.total("hold") == 4
    assert stats.total("hold", "ok") == 2
    assert stats.total(outcome="ok") == 3
    assert stats.total("hold", "error") == 1
    assert stats.statuses[201] == 2


def test_rate_is_the_mean_over_the_last_complete_seconds() -> None:
    stats = DemoStats(started_at=0.0)
    for second in range(10):
        for _ in range(20):
            stats.record("hold", 201, now=second + 0.5, latency=0.0)
    # At t=10.2 the window covers seconds 5..9, each with 20 commands.
    assert stats.commands_per_second(10.2) == pytest.approx(20.0)
    # Nothing recorded since: the rate decays to zero once the window has passed.
    assert stats.commands_per_second(30.0) == 0.0


def test_rate_early_in_a_run_is_not_diluted_by_seconds_that_did_not_exist() -> None:
    stats = DemoStats(started_at=100.0)
    for _ in range(30):
        stats.record("hold", 201, now=100.5, latency=0.0)
    assert stats.commands_per_second(101.0) == pytest.approx(30.0)


def test_latency_quantiles() -> None:
    stats = DemoStats(started_at=0.0)
    assert stats.latency_ms(0.5) is None
    for ms in range(1, 101):
        stats.record("hold", 201, now=1.0, latency=ms / 1000)
    assert stats.latency_ms(0.5) == pytest.approx(51.0)
    assert stats.latency_ms(0.95) == pytest.approx(96.0)


def test_a_cancelled_paid_order_leaves_sales_and_counts_as_refund() -> None:
    stats = DemoStats(started_at=0.0)
    stats.paid(seats=2, amount_cents=17800)
    stats.paid(seats=1, amount_cents=3900)
    stats.cancelled_paid(seats=2, refunded_cents=17800)
    assert (stats.tickets_sold, stats.revenue_cents, stats.refunded_cents) == (1, 3900, 17800)


def test_tokens_keep_the_highest_position_per_show() -> None:
    stats = DemoStats(started_at=0.0)
    for token in ("ct1.s1.4", "ct1.s1.9", "ct1.s1.7", "ct1.s2.1", "ct1.-.0", "garbage", None, "ct1.s3.x"):
        stats.saw_token(token)
    assert stats.accepted_seq == {"s1": 9, "s2": 1}
