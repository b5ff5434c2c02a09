"""Writing a run's results: ``results.json``, ``report.md`` and the plots, in one directory."""

from pathlib import Path
from typing import Any

from benchmarks.report.markdown import render
from benchmarks.report.plots import draw
from benchmarks.report.results_file import write_results


def write_reports(results: dict[str, Any], out: Path) -> dict[str, Path]:
    paths = {"json": write_results(results, out), "markdown": out / "report.md"}
    plots = draw(results, out)
    paths["markdown"].write_text(render(results, {name: p.name for name, p in plots.items()}))
    return paths | plots
