"""Seat picking keeps parties together where the map allows and never picks a taken seat."""

import random

from cli.demo.seat_picking import available_runs, pick_together


def seat(row: str, number: int, status: str = "available", zone: str = "A") -> dict[str, object]:
    return {
        "seat_id": f"{zone}-{row}-{number}",
        "zone_id": zone,
        "row": row,
        "number": number,
        "status": status,
    }


def test_runs_break_at_taken_seats_and_row_ends() -> None:
    seats = [seat("1", n) for n in (1, 2, 3, 5, 6)] + [
        seat("1", 4, "sold"),
        seat("2", 1),
        seat("2", 2, "held"),
    ]
    assert sorted(available_runs(seats)) == [["A-1-1", "A-1-2", "A-1-3"], ["A-1-5", "A-1-6"], ["A-2-1"]]


def test_runs_follow_seat_numbers_not_input_order() -> None:
    seats = [seat("1", 3), seat("1", 1), seat("1", 2)]
    assert available_runs(seats) == [["A-1-1", "A-1-2", "A-1-3"]]


def test_a_party_sits_together_when_a_run_is_long_enough() -> None:
    seats = [seat("1", n) for n in range(1, 4)] + [seat("2", n) for n in range(1, 9)] + [seat("2", 9, "sold")]
    for trial in range(50):
        picked = pick_together(seats, 4, random.Random(trial))
        numbers = sorted(int(s.split("-")[2]) for s in picked)
        assert all(s.startswith("A-2-") for s in picked)
        assert numbers == list(range(numbers[0], numbers[0] + 4))


def test_excluded_seats_are_never_picked() -> None:
    seats = [seat("1", n) for n in range(1, 7)]
    picked = pick_together(seats, 2, random.Random(1), exclude={"A-1-2", "A-1-5"})
    assert picked == ["A-1-3", "A-1-4"]


def test_a_party_is_split_rather_than_refused_when_no_run_fits() -> None:
    seats = [seat("1", 1), seat("1", 2, "sold"), seat("1", 3), seat("2", 1)]
    assert sorted(pick_together(seats, 3, random.Random(0))) == ["A-1-1", "A-1-3", "A-2-1"]


def test_nothing_available_picks_nothing() -> None:
    assert pick_together([seat("1", 1, "sold")], 2, random.Random(0)) == []
