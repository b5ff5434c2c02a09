"""Whether PostgreSQL makes a commit durable before the command API answers it.

With ``fsync=off`` a commit is never flushed; with ``synchronous_commit=off``
it is answered before its WAL is flushed. Either makes commands look faster
than they are, so the benchmark refuses to report command figures on such a
server unless asked (``--allow-non-durable``), and then says so first.
"""

from dataclasses import asdict, dataclass
from typing import Any

import psycopg

from infra.db import libpq_dsn

SETTINGS = ("fsync", "synchronous_commit")


class NotDurableError(RuntimeError):
    """The server does not flush commits; command figures would flatter the command side."""


@dataclass(frozen=True, slots=True)
class Durability:
    fsync: str
    synchronous_commit: str

    @property
    def durable(self) -> bool:
        return self.fsync != "off" and self.synchronous_commit != "off"

    @property
    def settings(self) -> str:
        return f"fsync={self.fsync}, synchronous_commit={self.synchronous_commit}"


def read_durability(database_url: str) -> Durability:
    """``SHOW fsync`` and ``SHOW synchronous_commit`` in a session of the URL's role and database
    (so role and database overrides count, as they do for the command API's sessions)."""
    with psycopg.connect(libpq_dsn(database_url), autocommit=True) as conn:
        values = {}
        for name in SETTINGS:
            row = conn.execute(f"SHOW {name}").fetchone()
            values[name] = str(row[0]) if row else "unknown"
    return Durability(values["fsync"], values["synchronous_commit"])


def check_durability(durability: Durability, allow_non_durable: bool) -> None:
    """NotDurableError when commits are not durable and that was not allowed."""
    if not durability.durable and not allow_non_durable:
        raise NotDurableError(
            f"PostgreSQL runs with {durability.settings}: accepted commands are not durable, so "
            "their figures would flatter the command side. Turn both on (the local launcher: "
            "BOXOFFICE_POSTGRES_FSYNC=1), or pass --allow-non-durable to measure anyway "
            "(the report then says so in its first lines)."
        )


def durability_lines(durability: Durability) -> list[str]:
    """The report's first lines about durability."""
    if durability.durable:
        return [
            f"Durability: PostgreSQL {durability.settings}: every 201 below is a committed transaction "
            "flushed to disk before the answer."
        ]
    return [
        f"**NOT DURABLE: PostgreSQL ran with {durability.settings}.** Accepted holds were answered "
        "before (or without) flushing their commit, so these figures flatter the command side; "
        "measured only because of --allow-non-durable."
    ]


def durability_record(
    before: Durability, after: Durability | None, allowed_non_durable: bool
) -> dict[str, Any]:
    """The ``durability`` entry of a run's results: read before and after, and what was allowed."""
    return {
        "before": asdict(before),
        "after": asdict(after) if after else None,
        "durable": before.durable and (after is None or after.durable),
        "allowed_non_durable": allowed_non_durable,
    }
