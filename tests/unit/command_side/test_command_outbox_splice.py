"""The placeholder-seq splice yields exactly the bytes encoding at the real seq would, whatever the text."""

from datetime import UTC, datetime
from uuid import uuid4

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from command_side.adapters.direct import psycopg_sql
from command_side.adapters.outbox import PLACEHOLDER_SEQ, split_answer_at_seq, split_event_at_seq
from contracts import ConsistencyToken, OrderCancelled, OrderLine, SeatsHeld, encode_event, new_envelope

PLACEHOLDER_TEXT = str(PLACEHOLDER_SEQ)
# Text a customer may legally send, including the placeholder's digits and JSON look-alikes.
LEGAL_TEXT = st.one_of(
    st.text(min_size=1, max_size=40).filter(lambda t: "\x00" not in t),
    st.sampled_from(
        [PLACEHOLDER_TEXT, f"{PLACEHOLDER_TEXT}{PLACEHOLDER_TEXT}", f',"seq":{PLACEHOLDER_TEXT},']
    ),
)
NOW = datetime(2030, 1, 1, tzinfo=UTC)
SHOW, EVENT_ID = uuid4(), uuid4()


def _encoded_at(payload: SeatsHeld | OrderCancelled, seq: int) -> bytes:
    envelope = new_envelope(
        payload, stream_id=SHOW, seq=seq, correlation_id=SHOW, occurred_at=NOW, event_id=EVENT_ID
    )
    return encode_event(envelope)


@pytest.mark.parametrize("seq", [1, 9, 10, 12345, 10**15])
@pytest.mark.parametrize("customer_id", ["c-1", PLACEHOLDER_TEXT, f"x{PLACEHOLDER_TEXT}{PLACEHOLDER_TEXT}"])
def test_spliced_event_bytes_equal_encoding_at_the_real_seq(seq: int, customer_id: str) -> None:
    payload = SeatsHeld(hold_id=uuid4(), customer_id=customer_id, seat_ids=("A-1-1",), expires_at=NOW)
    head, tail = split_event_at_seq(_encoded_at(payload, PLACEHOLDER_SEQ))
    assert head + str(seq).encode() + tail == _encoded_at(payload, seq)


@given(customer_id=LEGAL_TEXT, reason=LEGAL_TEXT, referrer=LEGAL_TEXT, seq=st.integers(1, 10**15))
def test_any_legal_text_splices_to_the_encoding_at_the_real_seq(
    customer_id: str, reason: str, referrer: str, seq: int
) -> None:
    payload = OrderCancelled(
        order_id=uuid4(),
        customer_id=customer_id,
        referrer_id=referrer,
        lines=(OrderLine(seat_id="A-1-1", zone_id="A", price_cents=int(PLACEHOLDER_TEXT)),),
        previous_status="paid",
        refunded_cents=int(PLACEHOLDER_TEXT),
        paid_at=NOW,
        reason=reason,
    )
    head, tail = split_event_at_seq(_encoded_at(payload, PLACEHOLDER_SEQ))
    assert head + str(seq).encode() + tail == _encoded_at(payload, seq)


@given(text=LEGAL_TEXT, seq=st.integers(1, 10**15))
def test_spliced_answer_equals_the_answer_at_the_real_seq(text: str, seq: int) -> None:
    show = uuid4()
    body = {"hold_id": str(uuid4()), "customer_id": text, "seat_ids": [text, PLACEHOLDER_TEXT]}

    def answer(s: int) -> bytes:
        return orjson.dumps({**body, "consistency_token": ConsistencyToken(show, s).encode()})

    head, tail = split_answer_at_seq(answer(PLACEHOLDER_SEQ))
    assert head + str(seq).encode() + tail == answer(seq)


def test_bytes_without_a_placeholder_seq_are_refused() -> None:
    with pytest.raises(ValueError, match="no placeholder seq"):
        split_event_at_seq(b'{"seq":1}')
    with pytest.raises(ValueError, match="placeholder consistency token"):
        split_answer_at_seq(f'{{"consistency_token":"ct1.x.{PLACEHOLDER_SEQ}","b":1}}'.encode())


def test_text_parameters_become_psycopg_parameters_and_casts_and_percents_survive() -> None:
    statement = "SELECT CAST(:a AS int), x::text, '5%' FROM t WHERE y = :b_2"
    assert psycopg_sql(statement) == "SELECT CAST(%(a)s AS int), x::text, '5%%' FROM t WHERE y = %(b_2)s"
