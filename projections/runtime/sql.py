"""Small helpers for the SQL layers: quoting our own identifiers, columns of rows."""

import re
from collections.abc import Sequence
from typing import Any

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
