"""The latency floor's zone holds every hold of its run: ``--holds 1000`` ran out of seats."""

import pytest

from benchmarks.commands.latency_floor import SEATS, WARM_UP, zone_rows


@pytest.mark.parametrize("holds", [1, 30, 120, 300, 1000, 5000])
def test_the_zone_has_a_seat_for_every_hold_of_both_kinds(holds: int) -> None:
    assert (zone_rows(holds) - 1) * SEATS >= 2 * (WARM_UP + holds)
