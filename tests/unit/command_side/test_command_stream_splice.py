"""The placeholder-seq splice yields exactly the bytes encoding at the real seq would."""

from datetime import UTC, datetime
from uuid import uuid4

import orjson
import pytest

from command_side.adapters.direct import psycopg_sql
from command_side.adapters.stream_append import PLACEHOLDER_SEQ, split_at_placeholder
from contracts import ConsistencyToken, SeatsHeld, encode_event, new_envelope


@pytest.mark.parametrize("seq", [1, 9, 10, 12345, 10**15])
def test_spliced_event_bytes_equal_encoding_at_the_real_seq(seq: int) -> None:
    show, correlation, event_id = uuid4(), uuid4(), uuid4()
    now = datetime(2030, 1, 1, tzinfo=UTC)
    payload = SeatsHeld(hold_id=uuid4(), customer_id="c-1", seat_ids=("A-1-1",), expires_at=now)

    def at(s: int) -> bytes:
        envelope = new_envelope(
            payload, stream_id=show, seq=s, correlation_id=correlation, occurred_at=now, event_id=event_id
        )
        return encode_event(envelope)

    head, tail = split_at_placeholder(at(PLACEHOLDER_SEQ))
    assert head + str(seq).encode() + tail == at(seq)


def test_spliced_answer_equals_the_answer_at_the_real_seq() -> None:
    show = uuid4()
    body = {"hold_id": str(uuid4()), "seat_ids": ["A-1-1"]}

    def answer(seq: int) -> bytes:
        return orjson.dumps({**body, "consistency_token": ConsistencyToken(show, seq).encode()})

    head, tail = split_at_placeholder(answer(PLACEHOLDER_SEQ))
    assert head + b"42" + tail == answer(42)


def test_a_missing_or_repeated_placeholder_is_refused() -> None:
    with pytest.raises(ValueError, match="exactly once"):
        split_at_placeholder(b'{"seq":1}')
    twice = f'{{"a":{PLACEHOLDER_SEQ},"b":{PLACEHOLDER_SEQ}}}'.encode()
    with pytest.raises(ValueError, match="exactly once"):
        split_at_placeholder(twice)


def test_text_parameters_become_psycopg_parameters_and_casts_and_percents_survive() -> None:
    statement = "SELECT CAST(:a AS int), x::text, '5%' FROM t WHERE y = :b_2"
    assert psycopg_sql(statement) == "SELECT CAST(%(a)s AS int), x::text, '5%%' FROM t WHERE y = %(b_2)s"
