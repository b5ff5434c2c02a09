"""The byte-bounded body cache."""

from query_api.cache import BodyCache


def test_least_recently_used_goes_first() -> None:
    cache = BodyCache(max_bytes=40)
    cache.put("a", b"x" * 10)
    cache.put("b", b"x" * 10)
    cache.put("c", b"x" * 10)
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("d", b"x" * 10)
    cache.put("e", b"x" * 10)
    assert cache.get("b") is None
    assert cache.get("a") is not None
    assert cache.size_bytes <= 40


def test_a_body_larger_than_a_quarter_is_not_cached() -> None:
    cache = BodyCache(max_bytes=40)
    cache.put("small", b"x")
    cache.put("big", b"x" * 11)
    assert cache.get("big") is None
    assert cache.get("small") == b"x"


def test_replacing_a_key_keeps_the_byte_count_right() -> None:
    cache = BodyCache(max_bytes=100)
    cache.put("a", b"x" * 10)
    cache.put("a", b"x" * 20)
    assert (cache.size_bytes, len(cache)) == (20, 1)


def test_zero_size_caches_nothing() -> None:
    cache = BodyCache(max_bytes=0)
    cache.put("a", b"x")
    assert cache.get("a") is None
