"""The headers a lean ASGI path reads: the named ones once each, latin-1 decoded; a repeat is a doubt."""

from infra.http.asgi_headers import pick_headers

NAMES = frozenset({b"authorization", b"if-none-match"})


def test_the_named_headers_given_are_picked_and_decoded() -> None:
    raw = [
        (b"host", b"127.0.0.1"),
        (b"authorization", b"Bearer key-1"),
        (b"if-none-match", b'"v7"'),
        (b"accept", b"*/*"),
    ]
    assert pick_headers(raw, NAMES) == {b"authorization": "Bearer key-1", b"if-none-match": '"v7"'}


def test_a_named_header_not_given_is_absent() -> None:
    assert pick_headers([(b"authorization", b"Bearer k")], NAMES) == {b"authorization": "Bearer k"}
    assert pick_headers([], NAMES) == {}


def test_values_are_decoded_as_latin_1_never_failing() -> None:
    # b"\xe9" is not UTF-8 on its own; HTTP/1.1 header bytes are read as latin-1.
    assert pick_headers([(b"if-none-match", b"caf\xe9")], NAMES) == {b"if-none-match": "café"}


def test_a_named_header_given_twice_is_none() -> None:
    raw = [(b"authorization", b"Bearer a"), (b"accept", b"*/*"), (b"authorization", b"Bearer a")]
    assert pick_headers(raw, NAMES) is None


def test_a_header_not_named_may_repeat() -> None:
    raw = [(b"accept", b"text/csv"), (b"accept", b"*/*"), (b"if-none-match", b'"v1"')]
    assert pick_headers(raw, NAMES) == {b"if-none-match": '"v1"'}


def test_names_are_matched_as_given_lower_case_bytes() -> None:
    # ASGI servers lower-case names; a name in another case is not the named header.
    assert pick_headers([(b"Authorization", b"Bearer k")], NAMES) == {}
