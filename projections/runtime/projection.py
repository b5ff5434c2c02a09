"""The port every read model implements: a pure fold plus a thin SQL layer."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from contracts import DEAD_LETTER_TOPIC
from contracts.read_model import READ_SCHEMA
from projections.runtime.decoding import Event

if TYPE_CHECKING:
    from projections.runtime.statements import Statements


class ApplyError(ValueError):
    """An event that decodes but cannot be applied to this read model."""


class Projection(Protocol):
    """A read model: ``apply`` folds events into a batch of changes without I/O;
    ``stage`` turns a batch into set-based writes, which the caller sends inside its
    transaction (``projections.runtime.statements``).

    ``apply`` either raises ApplyError and leaves ``changes`` untouched, or
    folds the event completely: an event is never half applied.
    """

    name: str

    def empty(self) -> Any:
        """A fresh, empty batch of changes."""

    def apply(self, changes: Any, event: Event) -> Any:
        """Fold one event into ``changes`` and return it."""

    def ddl(self, schema: str) -> list[str]:
        """Statements creating the read tables in ``schema`` (idempotent)."""

    def views(self, schema: str) -> dict[str, str]:
        """View name (without the views schema) -> SELECT over ``schema``'s tables."""

    def stage(self, statements: "Statements", schema: str, changes: Any, slot: int) -> None:
        """Stage the writes applying ``changes`` to ``schema``'s tables, each naming the rows it must
        touch; ``slot`` is a partition this writer owns, for rows that several writers would
        otherwise contend on.

        Changes that do not fit the tables (an unknown show or seat) make the
        writes raise ApplyError once sent, so that the caller can isolate the
        offending event.
        """


@dataclass(frozen=True, slots=True)
class Deployment:
    """Where one projection runs: its registry name, topic and the schema of its read views.

    In production the registry name is the projection's name, the topic
    ``boxoffice.events`` and the views schema ``read``; tests give each run a
    unique registry name, topic and views schema so that runs never meet.
    """

    projection: Projection
    registry_name: str
    topic: str
    views_schema: str = READ_SCHEMA
    dead_letter_topic: str = DEAD_LETTER_TOPIC

    def schema_for(self, version: int) -> str:
        return f"proj_{self.registry_name}_v{version}"

    def group_for(self, version: int) -> str:
        return f"boxoffice.proj.{self.registry_name}.v{version}"
