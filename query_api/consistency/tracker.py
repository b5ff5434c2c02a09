"""The live projection versions and every show's watermark, held in memory (pure, no I/O).

Fed by the projectors' notices (``contracts.progress``) through the LISTEN
connection, and by full re-reads ("resyncs", one query) after (re)connecting,
after a notice too large to carry its seqs and after a swap. While
``synced`` is true, what it says is a lower bound of the database, never more:
a notice arrives after its commit, and values only ever move up (max-merge).
While false (LISTEN lost, a swap not yet re-read), readers must ask the
database instead.

Versions are strings: ``<label>:<seq>`` for one show's resources and
``<label>:<shows>:<sum of seqs>`` for resources spanning every show, where the
label lists the live versions of the views schema (``dash@1,seats@2``). Within
one label a seq identifies a show's rows, and (count, sum) identifies every
show's rows, because seqs only grow.

Single-threaded (the event loop); no locking.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

from contracts.progress import ProgressNotice

KINDS = ("seat_availability", "dashboard")


def live_label(live: Iterable[str]) -> str:
    """The label of a set of ``projection@version`` strings (order-independent)."""
    return ",".join(sorted(live))


@dataclass(slots=True)
class Resync:
    """What one re-read returns: every registered version of the views schema and every watermark."""

    versions: list[tuple[str, int, str]]  # (registry name, version, state)
    marks: dict[str, dict[UUID, int]]  # kind -> show -> seq

    @property
    def label(self) -> str:
        return live_label(f"{name}@{number}" for name, number, state in self.versions if state == "live")


@dataclass(slots=True)
class Outcome:
    """What a notice did: which kinds moved, and whether it was a swap."""

    kinds: set[str] = field(default_factory=set)
    swapped: bool = False


class VersionTracker:
    """See the module docstring."""

    def __init__(self, views_schema: str) -> None:
        self.views_schema = views_schema
        self.synced = False
        self.label = ""
        self.epoch = 0  # bumped by each swap seen
        self.resync_wanted = True
        self.resyncs = 0
        self.stale_labels: set[str] = set()  # labels replaced by a swap this process has seen
        self._states: dict[tuple[str, int], str] = {}
        self._marks: dict[str, dict[UUID, int]] = {kind: {} for kind in KINDS}
        self._sums: dict[str, int] = dict.fromkeys(KINDS, 0)

    # --- reading ---------------------------------------------------------------------------------

    def seq(self, kind: str, show_id: UUID) -> int | None:
        return self._marks[kind].get(show_id)

    def show_version(self, kind: str, show_id: UUID) -> str | None:
        seq = self._marks[kind].get(show_id)
        return None if seq is None else f"{self.label}:{seq}"

    def all_version(self, kind: str) -> str:
        return f"{self.label}:{len(self._marks[kind])}:{self._sums[kind]}"

    # --- feeding ---------------------------------------------------------------------------------

    def on_notice(self, notice: ProgressNotice) -> Outcome:
        """Apply one notice; sets ``resync_wanted`` when it cannot be applied as is."""
        if notice.views_schema is not None and notice.views_schema != self.views_schema:
            return Outcome()  # another views schema's projection
        if notice.swap:
            self.epoch += 1
            self.synced = False
            if self.label:
                self.stale_labels.add(self.label)
            self.label = ""
            for kind in KINDS:
                self._marks[kind] = {}
                self._sums[kind] = 0
            self.resync_wanted = True
            return Outcome(set(KINDS), swapped=True)
        name = notice.kind
        state = None if notice.version is None else self._states.get((notice.registry, notice.version))
        if state is not None and state != "live":
            return Outcome()  # a version being built by a replay (or retired): not served
        if name is None or name not in self._marks or state is None or notice.seqs is None:
            # A bare or foreign notice, a version registered after the last re-read,
            # or too many shows for one notice: re-read to learn what moved.
            self.resync_wanted = True
            return Outcome()
        self._merge(name, notice.seqs.items())
        return Outcome({name})

    def load(self, resync: Resync) -> None:
        """Install a re-read. Under the same label it is merged (max), otherwise it replaces."""
        label = resync.label
        if label != self.label:
            for kind in KINDS:
                self._marks[kind] = {}
                self._sums[kind] = 0
            self.label = label
        self._states = {(name, number): state for name, number, state in resync.versions}
        for kind in KINDS:
            self._merge(kind, resync.marks.get(kind, {}).items())
        self.synced = True
        self.resyncs += 1

    def merge(self, kind: str, label: str, marks: Iterable[tuple[UUID, int]]) -> None:
        """Watermarks a request read from the database under ``label``; ignored under another label."""
        if label == self.label and label:
            self._merge(kind, marks)

    def lost(self) -> None:
        """The LISTEN connection is gone: notices may be missed until the next re-read."""
        self.synced = False
        self.resync_wanted = True

    def _merge(self, kind: str, marks: Iterable[tuple[UUID, int]]) -> None:
        current = self._marks[kind]
        for show_id, seq in marks:
            old = current.get(show_id)
            if old is None:
                current[show_id] = seq
                self._sums[kind] += seq
            elif seq > old:
                current[show_id] = seq
                self._sums[kind] += seq - old
