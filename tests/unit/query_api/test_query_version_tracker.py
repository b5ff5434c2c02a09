"""The in-memory versions and watermarks, and the notices that feed them (no I/O)."""

from uuid import UUID, uuid4

from contracts.progress import (
    MAX_PAYLOAD_BYTES,
    ProgressNotice,
    decode_progress,
    encode_progress,
    encode_swap,
)
from query_api.consistency.tracker import Resync, VersionTracker, live_label

VIEWS = "read"
A, B = uuid4(), uuid4()


def versions(seats: int = 1, dash: int = 1) -> list[tuple[str, int, str]]:
    return [("seat_availability", seats, "live"), ("dashboard", dash, "live")]


def synced(marks: dict[UUID, int] | None = None) -> VersionTracker:
    tracker = VersionTracker(VIEWS)
    tracker.load(Resync(versions(), {"seat_availability": dict(marks or {}), "dashboard": {}}))
    return tracker


def batch(seqs: dict[UUID, int], kind: str = "seat_availability", version: int = 1) -> ProgressNotice:
    return decode_progress(encode_progress(kind, version, VIEWS, kind, seqs))


def test_not_synced_until_the_first_resync() -> None:
    tracker = VersionTracker(VIEWS)
    assert not tracker.synced
    assert tracker.resync_wanted
    tracker.load(Resync(versions(), {"seat_availability": {A: 3}}))
    assert tracker.synced
    assert tracker.label == "dashboard@1,seat_availability@1"
    assert tracker.show_version("seat_availability", A) == "dashboard@1,seat_availability@1:3"
    assert tracker.show_version("seat_availability", B) is None
    assert tracker.all_version("seat_availability") == "dashboard@1,seat_availability@1:1:3"
    assert tracker.all_version("dashboard") == "dashboard@1,seat_availability@1:0:0"


def test_a_batch_notice_moves_its_shows_forward_only() -> None:
    tracker = synced({A: 3})
    tracker.resync_wanted = False
    outcome = tracker.on_notice(batch({A: 5, B: 1}))
    assert outcome.kinds == {"seat_availability"}
    assert not outcome.swapped
    assert (tracker.seq("seat_availability", A), tracker.seq("seat_availability", B)) == (5, 1)
    tracker.on_notice(batch({A: 4}))  # an older value (e.g. merged from a request's read) never lowers it
    assert tracker.seq("seat_availability", A) == 5
    assert tracker.all_version("seat_availability").endswith(":2:6")
    assert not tracker.resync_wanted


def test_other_views_schemas_and_building_versions_are_ignored() -> None:
    tracker = synced({A: 3})
    tracker.load(Resync([*versions(), ("seat_availability", 2, "building")], {"seat_availability": {A: 3}}))
    tracker.resync_wanted = False
    foreign = decode_progress(
        encode_progress("seat_availability", 1, "elsewhere", "seat_availability", {A: 9})
    )
    assert tracker.on_notice(foreign).kinds == set()
    assert tracker.on_notice(batch({A: 9}, version=2)).kinds == set()
    assert tracker.seq("seat_availability", A) == 3
    assert not tracker.resync_wanted


def test_unknown_versions_bare_and_oversized_notices_ask_for_a_resync() -> None:
    for notice in (
        batch({A: 9}, version=7),  # registered after the last re-read
        ProgressNotice(registry="seat_availability"),  # an older sender's bare registry name
        decode_progress("seat_availability"),
        decode_progress("{not json"),
        ProgressNotice(registry="seat_availability", version=1, views_schema=VIEWS, kind="seat_availability"),
    ):
        tracker = synced({A: 3})
        tracker.resync_wanted = False
        assert tracker.on_notice(notice).kinds == set()
        assert tracker.resync_wanted, notice
        assert tracker.synced  # what it holds is still a valid lower bound
        assert tracker.seq("seat_availability", A) == 3


def test_a_notice_too_large_for_postgres_drops_its_seqs() -> None:
    many = {uuid4(): n for n in range(400)}
    payload = encode_progress("seat_availability", 1, VIEWS, "seat_availability", many)
    assert len(payload.encode()) < MAX_PAYLOAD_BYTES < 8000
    notice = decode_progress(payload)
    assert notice.seqs is None
    assert notice.version == 1
    assert notice.kind == "seat_availability"
    small = decode_progress(encode_progress("seat_availability", 1, VIEWS, "seat_availability", {A: 2}))
    assert small.seqs == {A: 2}


def test_a_swap_forgets_everything_until_the_next_resync() -> None:
    tracker = synced({A: 3})
    old_label = tracker.label
    outcome = tracker.on_notice(
        decode_progress(encode_swap("seat_availability", 2, VIEWS, "seat_availability"))
    )
    assert outcome.swapped
    assert outcome.kinds == {"seat_availability", "dashboard"}
    assert not tracker.synced
    assert tracker.resync_wanted
    assert tracker.seq("seat_availability", A) is None
    assert old_label in tracker.stale_labels
    tracker.merge("seat_availability", old_label, [(A, 3)])  # a read of the old version: not kept
    assert tracker.seq("seat_availability", A) is None
    tracker.load(Resync(versions(seats=2), {"seat_availability": {A: 3}}))
    assert tracker.synced
    assert tracker.label == "dashboard@1,seat_availability@2"
    assert tracker.show_version("seat_availability", A) == "dashboard@1,seat_availability@2:3"


def test_a_resync_under_the_same_label_merges_and_a_new_label_replaces() -> None:
    tracker = synced({A: 5})
    tracker.load(Resync(versions(), {"seat_availability": {A: 4, B: 2}}))  # an older snapshot of A
    assert (tracker.seq("seat_availability", A), tracker.seq("seat_availability", B)) == (5, 2)
    tracker.load(Resync(versions(seats=3), {"seat_availability": {B: 2}}))
    assert tracker.seq("seat_availability", A) is None
    assert tracker.all_version("seat_availability").endswith(":1:2")


def test_losing_the_connection_unsyncs_and_requests_merges_only_under_the_current_label() -> None:
    tracker = synced({A: 1})
    tracker.merge("seat_availability", tracker.label, [(A, 4), (B, 1)])
    tracker.merge("seat_availability", "other@1", [(A, 9)])
    assert tracker.seq("seat_availability", A) == 4
    tracker.lost()
    assert not tracker.synced
    assert tracker.resync_wanted


def test_labels_do_not_depend_on_order() -> None:
    assert live_label(["b@1", "a@2"]) == live_label(["a@2", "b@1"]) == "a@2,b@1"
    assert live_label([]) == ""
