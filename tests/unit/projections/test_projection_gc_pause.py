"""The collector's pause around a batch: the batch's objects are kept out of its sight once it
resumes, and cyclic garbage is still reclaimed at the next thaw (projections.runtime.gc_pause)."""

import gc
import weakref
from collections.abc import Iterator

import pytest

from projections.runtime import gc_pause
from projections.runtime.gc_pause import GcPause


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        gc.unfreeze()
        (gc.enable if was else gc.disable)()


def test_objects_alive_at_resume_are_frozen_and_still_freed_by_reference_counting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(GcPause, "thawed_at", float("inf"))  # no thaw during this test
    gc.unfreeze()
    with GcPause.during():
        batch = [_Node() for _ in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(batch)
    probe = weakref.ref(batch[0])
    del batch
    assert probe() is None  # freed at once, frozen or not


def test_a_cycle_that_became_garbage_while_frozen_is_collected_at_the_next_thaw(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(GcPause, "thawed_at", float("inf"))
    with GcPause.during():
        a, b = _Node(), _Node()
        a.other, b.other = b, a
    probe = weakref.ref(a)
    del a, b
    gc.collect()
    assert probe() is not None  # frozen: out of the collector's sight
    monkeypatch.setattr(GcPause, "thawed_at", 0.0)
    monkeypatch.setattr(gc_pause, "THAW_SECONDS", 0.0)
    with GcPause.during():
        pass
    assert probe() is None


def test_a_collector_turned_off_stays_off_and_nothing_is_frozen() -> None:
    gc.unfreeze()
    gc.disable()
    with GcPause.during():
        _ = [_Node() for _ in range(100)]
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_cyclic_garbage_is_collected_even_while_some_runner_is_always_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Runners' pauses overlap (one starts before the other ends): the outermost pause may never
    end while batches keep coming, and the thaw must not wait for it."""
    monkeypatch.setattr(GcPause, "thawed_at", float("inf"))
    with GcPause.during():  # a runner decoding all along
        with GcPause.during():
            a, b = _Node(), _Node()
            a.other, b.other = b, a
        probe = weakref.ref(a)
        del a, b
        monkeypatch.setattr(GcPause, "thawed_at", 0.0)
        monkeypatch.setattr(gc_pause, "THAW_SECONDS", 0.0)
        with GcPause.during():  # another runner's batch, ending while the first still decodes
            pass
        assert probe() is None
        assert not gc.isenabled()  # still paused for the runner decoding
    assert gc.isenabled()
