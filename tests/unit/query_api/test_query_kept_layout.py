"""A kept layout's seat maps from a string of statuses equal those encoded seat by seat."""

from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from query_api.kept_layout import KeptLayout
from query_api.seatmap import CODE_STATUSES, compact_body, compact_json, compact_zones

# Seats in any order: rows of a zone and seats of a row need not be adjacent, numbers may skip.
seats = st.lists(
    st.tuples(st.sampled_from(["A", "B", "C"]), st.sampled_from(["1", "2", "10"]), st.integers(-2, 30)),
    max_size=90,
    unique=True,
)


def _rows(layout: list[tuple[str, str, int]], statuses: str) -> list[tuple[str, str, str, int, str]]:
    return [
        (f"{zone}-{row}-{number}", zone, row, number, CODE_STATUSES[code])
        for (zone, row, number), code in zip(layout, statuses, strict=True)
    ]


@given(st.data(), seats)
def test_compact_zones_equal_those_encoded_seat_by_seat(
    data: st.DataObject, layout: list[tuple[str, str, int]]
) -> None:
    statuses = data.draw(st.text(alphabet="ahs", min_size=len(layout), max_size=len(layout)))
    rows = _rows(layout, statuses)
    kept, read = KeptLayout.of_rows(rows)
    assert read == statuses
    assert kept.rows(statuses) == rows
    assert kept.compact_zones(statuses) == compact_zones(rows)


@given(st.data(), seats.map(sorted))
def test_runs_of_a_layout_in_order_equal_too(data: st.DataObject, layout: list[tuple[str, str, int]]) -> None:
    statuses = data.draw(st.text(alphabet="ahs", min_size=len(layout), max_size=len(layout)))
    rows = _rows(layout, statuses)
    kept = KeptLayout([row[:4] for row in rows])
    show_id = uuid4()
    assert compact_body(show_id, 3, kept.compact_zones(statuses)) == compact_json(show_id, 3, rows)


def test_a_row_continued_after_another_row_merges_its_runs() -> None:
    layout = [("A", "1", 1), ("A", "2", 1), ("A", "1", 2), ("A", "1", 4)]
    rows = _rows(layout, "aaaa")
    assert KeptLayout([row[:4] for row in rows]).compact_zones("aaaa") == [
        {
            "zone_id": "A",
            "rows": [{"row": "1", "runs": [[1, 2, "a"], [4, 1, "a"]]}, {"row": "2", "runs": [[1, 1, "a"]]}],
        }
    ]


@pytest.mark.parametrize("statuses", ["aa", "aaaa", "aax", "a a", ""])
def test_statuses_that_do_not_fit_the_layout_are_refused(statuses: str) -> None:
    kept = KeptLayout([("A-1-1", "A", "1", 1), ("A-1-2", "A", "1", 2), ("A-1-3", "A", "1", 3)])
    assert not kept.fits(statuses)
    with pytest.raises(ValueError, match="status codes"):
        kept.compact_zones(statuses)
    with pytest.raises(ValueError, match="status codes"):
        kept.rows(statuses)
