"""A batch's writes, staged: merged into one statement per step, and arrays sent as literals."""

import re
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import encode_event
from projections.dashboard.projection import Dashboard
from projections.runtime.decoding import decode_value
from projections.runtime.sql import array_literal
from projections.runtime.statements import Statements
from projections.seat_availability.projection import SeatAvailability
from projections.testing import Simulation


def _parse_text_array(literal: str) -> list[str | None]:
    """PostgreSQL's reading of a one-dimensional array literal of text (quoted or bare elements)."""
    assert (literal[0], literal[-1]) == ("{", "}")
    out: list[str | None] = []
    i, body = 0, literal[1:-1]
    while i < len(body):
        if body[i] == '"':
            i, chars = i + 1, []
            while body[i] != '"':
                if body[i] == "\\":
                    i += 1
                chars.append(body[i])
                i += 1
            out.append("".join(chars))
            i += 1
        else:
            end = body.find(",", i)
            end = len(body) if end < 0 else end
            out.append(None if body[i:end] == "NULL" else body[i:end])
            i = end
        i += 1 if i < len(body) and body[i] == "," else 0
    return out


@given(st.lists(st.one_of(st.none(), st.text(st.characters(blacklist_categories=["Cs"], min_codepoint=1)))))
def test_any_text_reads_back_from_its_array_literal(values: list[str | None]) -> None:
    assert _parse_text_array(array_literal(values)) == values


def test_the_element_types_of_the_sql_layers_are_written_as_postgresql_reads_them() -> None:
    show = uuid4()
    at = datetime(2026, 3, 1, 10, 30, tzinfo=UTC)
    assert array_literal([show, None]) == f"{{{show},NULL}}"
    assert array_literal([1, -2, True, False]) == "{1,-2,t,f}"
    assert array_literal([at, date(2026, 3, 1)]) == '{"2026-03-01T10:30:00+00:00","2026-03-01"}'
    assert array_literal(["NULL", ""]) == '{"NULL",""}'  # strings are never NULL
    assert array_literal([]) == "{}"
    with pytest.raises(TypeError, match="float"):
        array_literal([1.5])


def _staged(projection: SeatAvailability | Dashboard, count: int) -> Statements:
    sim = Simulation(5, shows=2).run(count)
    changes: Any = projection.empty()
    for envelope in sim.events:
        changes = projection.apply(changes, decode_value(encode_event(envelope)))
    statements = Statements()
    projection.stage(statements, "proj_x_v1", changes, 0)
    return statements


@pytest.mark.parametrize("projection", [SeatAvailability(), Dashboard()])
def test_rows_a_batch_adds_are_written_a_step_before_the_writes_that_change_them(
    projection: SeatAvailability | Dashboard,
) -> None:
    steps = _staged(projection, 40).steps
    assert len(steps) == 2
    assert all(w.query.startswith("INSERT INTO") and "ON CONFLICT" not in w.query for w in steps[0])
    # No table is written twice in one statement (PostgreSQL would not let a CTE see another's rows).
    for step in steps:
        tables = [re.match(r"(?:INSERT INTO|UPDATE) (\S+)", w.query).group(1) for w in step]  # type: ignore[union-attr]
        assert len(tables) == len(set(tables)), tables
    # Updates say how many rows they must find, so that an unknown seat or show is refused.
    assert any(w.rows for w in steps[1])


def test_a_step_is_one_statement_whose_parameters_follow_its_writes_in_order() -> None:
    statements = Statements()
    statements.add("UPDATE t SET a = %s", [1], rows=1, of="ts")
    statements.add("INSERT INTO u VALUES (%s, %s)", [2, 3])
    statements.then()
    statements.then()  # an empty step is no statement
    statements.add("UPDATE t SET a = %s", [4])
    assert [[w.params for w in step] for step in statements.steps] == [[[1], [2, 3]], [[4]]]
