"""Compact seat map encoding: runs per zone and row, lossless."""

from uuid import uuid4

import orjson
from hypothesis import given
from hypothesis import strategies as st

from query_api.seatmap import compact_json, compact_zones, expand_compact, full_json


def seat(zone: str, row: str, number: int, status: str) -> tuple[str, str, str, int, str]:
    return (f"{zone}-{row}-{number}", zone, row, number, status)


def test_consecutive_equal_statuses_form_one_run() -> None:
    seats = [seat("A", "1", n, "available") for n in range(1, 6)] + [seat("A", "1", 6, "sold")]
    assert compact_zones(seats) == [
        {"zone_id": "A", "rows": [{"row": "1", "runs": [[1, 5, "a"], [6, 1, "s"]]}]}
    ]


def test_a_gap_in_numbering_starts_a_new_run() -> None:
    seats = [seat("A", "1", 1, "held"), seat("A", "1", 3, "held")]
    assert compact_zones(seats)[0]["rows"][0]["runs"] == [[1, 1, "h"], [3, 1, "h"]]


def test_zones_and_rows_keep_layout_order() -> None:
    seats = [seat("B", "2", 1, "available"), seat("B", "1", 1, "available"), seat("A", "1", 1, "sold")]
    zones = compact_zones(seats)
    assert [z["zone_id"] for z in zones] == ["B", "A"]
    assert [r["row"] for r in zones[0]["rows"]] == ["2", "1"]


def test_bodies_carry_show_and_seq() -> None:
    show_id = uuid4()
    seats = [seat("A", "1", 1, "sold")]
    full = orjson.loads(full_json(show_id, 7, seats))
    assert full == {
        "show_id": str(show_id),
        "seq": 7,
        "seats": [{"seat_id": "A-1-1", "zone_id": "A", "row": "1", "number": 1, "status": "sold"}],
    }
    compact = orjson.loads(compact_json(show_id, 7, seats))
    assert compact["statuses"] == {"a": "available", "h": "held", "s": "sold"}
    assert compact["format"] == "compact"


layouts = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C"]),
        st.sampled_from(["1", "2"]),
        st.integers(1, 40),
        st.sampled_from(["available", "held", "sold"]),
    ),
    max_size=80,
    unique_by=lambda s: (s[0], s[1], s[2]),
)


@given(layouts)
def test_compact_expands_to_the_full_map(raw: list[tuple[str, str, int, str]]) -> None:
    # Layout order: zones and rows grouped, numbers ascending, as the seats view orders them.
    ordered = sorted(raw, key=lambda s: (s[0], s[1], s[2]))
    seats = [seat(*s) for s in ordered]
    assert expand_compact(compact_zones(seats)) == seats
