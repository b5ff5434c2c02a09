"""A batch's writes, merged into as few statements as their order allows.

A projection stages its writes (``Projection.stage``); each write names the
rows it must touch. Writes of one *step* become one statement: each is a
data-modifying CTE, and the statement returns how many rows each touched. A
later step (``Statements.then``) is a statement of its own, sent after the
earlier ones, so it sees their rows (an update of a show inserted by the same
batch); writes of one step must not depend on each other nor touch the same row.

Guarantees: the statements run in the caller's transaction, in step order; a
refused write raises PostgreSQL's error (``IntegrityError``, ``DataError``) and
nothing after it runs; once they have run, a write that touched another number
of rows than it named raises ``ApplyError`` (before the caller commits).
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from psycopg import AsyncConnection, AsyncCursor

from projections.runtime.projection import ApplyError

if TYPE_CHECKING:
    from projections.runtime.projection import Projection


@dataclass(frozen=True, slots=True)
class _Write:
    query: str  # an INSERT, UPDATE or upsert without RETURNING
    params: list[Any]
    rows: int | None  # how many rows it must touch, when that is known
    of: str  # what those rows are, for the error


@dataclass(slots=True)
class Statements:
    """The staged writes of one batch (see the module docstring)."""

    steps: list[list[_Write]] = field(default_factory=lambda: [[]])
    sent: list[tuple[AsyncCursor[Any], list[_Write]]] = field(default_factory=list)

    def add(self, query: str, params: list[Any], *, rows: int | None = None, of: str = "") -> None:
        """Stage ``query`` in the current step; with ``rows``, it must touch that many rows of ``of``."""
        self.steps[-1].append(_Write(query, params, rows, of))

    def then(self) -> None:
        """Writes staged from now on run after (and see) the ones staged so far."""
        if self.steps[-1]:
            self.steps.append([])

    async def send(self, conn: AsyncConnection[Any]) -> None:
        """Execute every step, one statement each (queued only, when ``conn`` is in pipeline mode)."""
        for step in self.steps:
            if not step:
                continue
            ctes = ", ".join(f"w{i} AS ({w.query} RETURNING 1)" for i, w in enumerate(step))
            counts = ", ".join(f"(SELECT count(*) FROM w{i})" for i in range(len(step)))
            cur = conn.cursor()
            await cur.execute(f"WITH {ctes} SELECT {counts}", [p for w in step for p in w.params])
            self.sent.append((cur, step))
        self.steps = [[]]

    async def verify(self) -> None:
        """Check the rows each write touched (fetching the results if not in yet)."""
        for cur, step in self.sent:
            counts = await cur.fetchone()
            assert counts is not None
            for w, got in zip(step, counts, strict=True):
                if w.rows is not None and got != w.rows:
                    raise ApplyError(f"{w.rows - got} of {w.rows} {w.of} named by the events do not exist")
        self.sent = []


async def write(
    conn: AsyncConnection[Any], projection: "Projection", schema: str, changes: Any, slot: int
) -> None:
    """Apply ``changes`` in the open transaction of ``conn`` (``ApplyError`` if they do not fit)."""
    statements = Statements()
    projection.stage(statements, schema, changes, slot)
    await statements.send(conn)
    await statements.verify()
