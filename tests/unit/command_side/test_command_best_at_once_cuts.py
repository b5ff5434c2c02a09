"""The best-available hold in one statement splices its seats into bytes cut around a placeholder
list: spliced, they are exactly the event and the answer the usual path encodes."""

from datetime import UTC, datetime
from uuid import uuid4

import orjson
import pytest

from command_side.adapters import outbox
from command_side.handlers.best_at_once import PLACEHOLDER_SEATS, cut_at_seats
from command_side.handlers.holds import hold_body
from contracts import SeatsHeld


def test_bytes_spliced_at_the_seats_and_seq_are_the_usual_encoding() -> None:
    show_id, hold_id, now = uuid4(), uuid4(), datetime(2030, 1, 1, tzinfo=UTC)
    correlation_id, causation_id = uuid4(), uuid4()
    seats = ("A-1-10", "A-1-9")

    def encoded(seat_ids: tuple[str, ...]) -> outbox.Encoded:
        event = SeatsHeld(hold_id=hold_id, customer_id='c"seat_ids":', seat_ids=seat_ids, expires_at=now)
        body = hold_body(hold_id, show_id, seat_ids, now)
        return outbox.encode_append(show_id, (event,), body, correlation_id, causation_id, now)

    cut, usual = encoded(PLACEHOLDER_SEATS), encoded(seats)
    array = orjson.dumps(list(seats))
    middle, tail = cut_at_seats(cut.params["tails"][0])
    answer_head, answer_middle = cut_at_seats(cut.answer_head)
    usual_head = usual.params["heads"][0].replace(
        str(usual.params["event_ids"][0]).encode(), str(cut.params["event_ids"][0]).encode()
    )
    assert (cut.params["heads"][0], middle + array + tail) == (usual_head, usual.params["tails"][0])
    assert answer_head + array + answer_middle + b"42" + cut.answer_tail == usual.answer(42)


def test_bytes_without_the_placeholder_list_are_refused() -> None:
    with pytest.raises(ValueError, match="placeholder seat list"):
        cut_at_seats(b'{"seat_ids":["A-1-1"]}')
