"""The command benchmark's case table shows the largest oldest-snapshot age read during a case."""

from benchmarks.commands.report import snapshot_ages


def test_a_case_shows_the_largest_age_read_between_its_start_and_end() -> None:
    case = {"oldest_snapshot_age": [0, 0], "oldest_snapshot_age_max": 900}
    assert snapshot_ages(case) == "0-0 (900)"
