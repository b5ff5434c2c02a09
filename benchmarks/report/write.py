"""Writing a run's results: ``results.json``, ``report.md`` and the plots, in one directory."""

from pathlib import Path
from typing import Any

import orjson

from benchmarks.report.markdown import render
from benchmarks.report.plots import draw


def write_reports(results: dict[str, Any], out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "results.json", "markdown": out / "report.md"}
    paths["json"].write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))
    plots = draw(results, out)
    paths["markdown"].write_text(render(results, {name: p.name for name, p in plots.items()}))
    return paths | plots
