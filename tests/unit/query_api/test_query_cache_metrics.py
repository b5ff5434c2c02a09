"""The body cache's counts and their exposition: hits per body found, misses per body built."""

from prometheus_client import CollectorRegistry, generate_latest

from query_api.cache import BodyCache
from query_api.consistency.tracker import VersionTracker
from query_api.http.metrics import RequestMetrics
from tests.support.metrics import Samples


def test_hits_count_bodies_found_and_misses_count_bodies_built() -> None:
    cache = BodyCache(max_bytes=100)
    assert cache.get("v1") is None  # a lookup that finds nothing is not yet a miss: no body was built
    cache.put("v1", b"0123456789")
    assert cache.get("v1") == b"0123456789"
    assert cache.get("v1") == b"0123456789"
    cache.put("huge", b"x" * 60)  # built, though too large to keep
    assert (cache.hits, cache.misses, cache.size_bytes) == (2, 2, 10)


def test_the_cache_is_exposed_as_counters_and_a_gauge() -> None:
    registry = CollectorRegistry()
    metrics = RequestMetrics(registry)
    before = Samples(generate_latest(registry).decode())
    assert before.value("boxoffice_query_cache_hits_total") == 0  # present before the app starts
    cache = BodyCache(max_bytes=100)
    cache.put("v1", b"abc")
    cache.get("v1")
    metrics.watch(VersionTracker("read"), cache)
    after = Samples(generate_latest(registry).decode())
    assert after.value("boxoffice_query_cache_hits_total") == 1
    assert after.value("boxoffice_query_cache_misses_total") == 1
    assert after.value("boxoffice_query_cache_bytes") == 3
    metrics.token_wait("waited", 0.2)
    metrics.token_wait("immediate")
    waits = Samples(generate_latest(registry).decode())
    assert waits.value("boxoffice_query_token_waits_total", outcome="waited") == 1
    assert waits.value("boxoffice_query_token_waits_total", outcome="immediate") == 1
    assert waits.value("boxoffice_query_token_wait_seconds_count") == 1
