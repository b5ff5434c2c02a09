"""Best-available selection as a pure function."""

from command_side.domain.seating import SeatCandidate, pick_best_available


def row(ordinal: int, size: int, free: list[int]) -> list[SeatCandidate]:
    return [SeatCandidate(f"A-{ordinal + 1}-{n}", ordinal, size, n) for n in free]


def test_picks_adjacent_seats_in_the_front_row_centred() -> None:
    seats = row(0, 10, list(range(1, 11))) + row(1, 10, list(range(1, 11)))
    assert pick_best_available(seats, 4) == ("A-1-4", "A-1-5", "A-1-6", "A-1-7")


def test_skips_a_front_row_without_a_long_enough_run() -> None:
    seats = row(0, 10, [1, 2, 4, 5, 7, 8]) + row(1, 10, [3, 4, 5])
    assert pick_best_available(seats, 3) == ("A-2-3", "A-2-4", "A-2-5")


def test_prefers_the_run_nearest_the_centre_within_a_row() -> None:
    seats = row(0, 20, [1, 2, 3, 9, 10, 11, 18, 19, 20])
    assert pick_best_available(seats, 3) == ("A-1-9", "A-1-10", "A-1-11")


def test_falls_back_to_scattered_seats_front_and_centre_first() -> None:
    seats = row(0, 10, [1, 5, 10]) + row(1, 10, [6])
    picked = pick_best_available(seats, 3)
    assert picked is not None
    assert set(picked) == {"A-1-5", "A-1-1", "A-1-10"}


def test_none_when_the_zone_has_too_few_free_seats() -> None:
    assert pick_best_available(row(0, 10, [1, 2]), 3) is None
    assert pick_best_available([], 1) is None


def test_is_deterministic_whatever_the_candidate_order() -> None:
    seats = row(0, 10, list(range(1, 11))) + row(1, 10, list(range(1, 11)))
    assert pick_best_available(list(reversed(seats)), 2) == pick_best_available(seats, 2)
