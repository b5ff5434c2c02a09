"""ETag derivation and If-None-Match matching."""

import pytest

from query_api.http.caching import etag_for, etag_of_body, not_modified


def test_etags_are_quoted_and_depend_on_every_part() -> None:
    tag = etag_for("seats", "sa@1:5")
    assert tag.startswith('"')
    assert tag.endswith('"')
    assert tag == etag_for("seats", "sa@1:5")
    assert tag != etag_for("seats", "sa@1:6")
    assert tag != etag_for("availability", "sa@1:5")
    assert etag_of_body(b"a") != etag_of_body(b"b")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        ("", False),
        ('"abc"', True),
        ('W/"abc"', True),
        ('"x", "abc"', True),
        ("*", True),
        ('"abd"', False),
        ("abc", False),
    ],
)
def test_if_none_match(header: str | None, expected: bool) -> None:
    assert not_modified(header, '"abc"') is expected
