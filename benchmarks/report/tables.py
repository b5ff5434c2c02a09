"""Markdown table helpers."""

from collections.abc import Mapping, Sequence
from typing import Any


def fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def ratio(a: float, b: float) -> str:
    return f"{a / b:.3g}" if b else "n/a"


def times(value: float | None) -> str:
    """A ratio already computed, as ``2.5x`` (``n/a`` when it could not be)."""
    return f"{value:g}x" if value is not None else "n/a"


def table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(fmt(c) if not isinstance(c, str) else c for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def section(title: str, head: Sequence[str], rows: Sequence[Sequence[Any]], note: str) -> str:
    """A report section: ``## title``, the table, then ``note`` (which starts with its own newline)."""
    return f"## {title}\n\n" + table(head, rows) + note


def errors_section(errors: dict[str, str]) -> str:
    """``## Errors`` and a line per measurement that failed (name: error)."""
    return "## Errors\n\n" + "".join(f"- {name}: {error}\n" for name, error in errors.items())


def latency_cells(r: Mapping[str, Any]) -> list[Any]:
    """p50, p99 and max latency (ms) of a load summary, the order every report's tables use."""
    return [r["p50_ms"], r["p99_ms"], r["max_ms"]]


SUMMARY_HEAD = ("p50", "p99", "max", "req/s", "requests", "failed")  # the columns of summary_cells


def summary_cells(r: dict[str, Any]) -> list[Any]:
    """p50, p99, max, throughput, successes and failures of a load summary (``SUMMARY_HEAD``)."""
    return [*latency_cells(r), fmt(r["throughput"]), fmt(r["ok"]), r["failed"]]
