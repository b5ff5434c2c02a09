"""Best-available selection's pure parts: the runs of a row, and scattered seats."""

from command_side.domain.seating import SeatCandidate, adjacent_runs, scattered


def row(ordinal: int, size: int, free: list[int]) -> list[SeatCandidate]:
    return [SeatCandidate(f"A-{ordinal + 1}-{n}", ordinal, size, n) for n in free]


def test_the_best_run_of_a_full_row_is_centred() -> None:
    assert adjacent_runs(row(0, 10, list(range(1, 11))), 4)[0] == ("A-1-4", "A-1-5", "A-1-6", "A-1-7")


def test_a_row_without_a_long_enough_run_offers_none() -> None:
    assert adjacent_runs(row(0, 10, [1, 2, 4, 5, 7, 8]), 3) == []
    assert adjacent_runs(row(1, 10, [3, 4, 5]), 3) == [("A-2-3", "A-2-4", "A-2-5")]


def test_runs_come_nearest_the_centre_first() -> None:
    runs = adjacent_runs(row(0, 20, [1, 2, 3, 9, 10, 11, 18, 19, 20]), 3)
    # the two end runs are as far from the centre: the lower seat numbers come first
    assert runs == [
        ("A-1-9", "A-1-10", "A-1-11"),
        ("A-1-1", "A-1-2", "A-1-3"),
        ("A-1-18", "A-1-19", "A-1-20"),
    ]


def test_scattered_seats_are_front_and_centre_first() -> None:
    picked = scattered(row(0, 10, [1, 5, 10]) + row(1, 10, [6]), 3)
    assert picked is not None
    assert set(picked) == {"A-1-5", "A-1-1", "A-1-10"}


def test_none_when_too_few_free_seats() -> None:
    assert scattered(row(0, 10, [1, 2]), 3) is None
    assert scattered([], 1) is None


def test_is_deterministic_whatever_the_candidate_order() -> None:
    seats = row(0, 10, list(range(1, 11)))
    assert adjacent_runs(list(reversed(seats)), 2) == adjacent_runs(seats, 2)
    both = seats + row(1, 10, list(range(1, 11)))
    assert scattered(list(reversed(both)), 5) == scattered(both, 5)
