"""Small helpers for the SQL layers: quoting our own identifiers, columns of rows, arrays as literals."""

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.adapt import Dumper

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def ident(name: str) -> str:
    """``name`` double-quoted, after checking it is one of the identifiers we generate."""
    if not _IDENT.match(name):
        raise ValueError(f"not a valid schema or table name: {name!r}")
    return f'"{name}"'


def columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """Rows transposed into ``width`` column lists, ready to pass as arrays to ``unnest``."""
    if not rows:
        return [[] for _ in range(width)]
    return [list(col) for col in zip(*rows, strict=True)]


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# How each element type of the arrays the SQL layers pass is written in an array literal.
_ELEMENT: dict[type, Callable[[Any], str]] = {
    type(None): lambda _: "NULL",
    bool: lambda b: "t" if b else "f",
    int: str,
    UUID: str,
    str: _quoted,
    datetime: lambda d: _quoted(d.isoformat()),
    date: lambda d: _quoted(d.isoformat()),
}


def array_literal(values: Sequence[Any]) -> str:
    """``values`` (one dimension of None, bool, int, UUID, str, date or datetime) as a PostgreSQL
    array literal, every string quoted and escaped; TypeError for any other element type."""
    try:
        return "{" + ",".join([_ELEMENT[type(v)](v) for v in values]) + "}"
    except KeyError:
        kinds = {type(v).__name__ for v in values if type(v) not in _ELEMENT}
        raise TypeError(f"no array literal for elements of type {', '.join(sorted(kinds))}") from None


class ArrayLiteralDumper(Dumper):
    """Lists as array literals of unknown type, which the statement's cast (``%s::uuid[]``,
    ``ANY(%s)``) types: what psycopg's list dumper would send, for a fraction of its CPU on the
    small arrays of an incremental batch (it finds a dumper per list and per element)."""

    def dump(self, obj: Any) -> bytes:
        return array_literal(obj).encode()


def use_array_literals(conn: AsyncConnection[Any]) -> None:
    """Lists passed as parameters on ``conn`` go as array literals (``ArrayLiteralDumper``); every
    statement on it must give them a type (a cast, or a comparison with an array)."""
    conn.adapters.register_dumper(list, ArrayLiteralDumper)
