"""The command benchmark's case table shows each case's oldest outside snapshot."""

from benchmarks.commands.report import snapshot_ages


def test_a_case_shows_its_oldest_snapshot_at_start_and_end() -> None:
    assert snapshot_ages({"oldest_snapshot_age": [0, 1200]}) == "0-1200"


def test_a_case_from_before_the_reading_shows_nothing() -> None:
    assert snapshot_ages({}) == ""
