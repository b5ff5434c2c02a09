"""A run's ``results.json``: one encoding and one place for every benchmark (end to end, commands, reads).

Indented, keys that are not strings (connection levels, order counts) written as
strings, and any value JSON has no type for (a path, a datetime) written as its
``str``, so writing the figures of a finished run never fails on their types.
"""

from pathlib import Path
from typing import Any

import orjson


def write_results(results: dict[str, Any], out: Path) -> Path:
    """``out/results.json`` (``out`` created if missing); returns its path."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.json"
    path.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS, default=str))
    return path
