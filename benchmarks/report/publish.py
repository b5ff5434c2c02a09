"""Publish a run's report to docs/bench and regenerate docs/performance.md's "Latest figures".

```
python -m benchmarks.report.publish               # regenerate the section from docs/bench/small-latest.md
python -m benchmarks.report.publish --run var/bench   # first copy that run's report and plots to docs/bench
python -m benchmarks.report.publish --check       # exit 1 if the section differs from the generated one
```

``--run DIR`` takes a run's output directory (``report.md`` and its plots, as
``boxoffice bench`` writes them): the report becomes ``docs/bench/<scale>-latest.md``
and the plots go next to it (``<scale>-<plot>.png`` for scales other than
``small``, whose plots keep their names). The section is always generated
from ``docs/bench/small-latest.md``, the run the documentation quotes.
"""

import difflib
import re
import shutil
from pathlib import Path
from typing import Annotated

import typer

from benchmarks.report.latest import current_section, parse_report, render_latest, replace_section

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SOURCE = "docs/bench/small-latest.md"  # relative to the repository root, as the section names it
PERFORMANCE = "docs/performance.md"
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)/]+\.png)\)")


def generated_section(root: Path = ROOT) -> str:
    """The "Latest figures" section as generated from the committed small-scale report."""
    return render_latest((root / SOURCE).read_text(), SOURCE)


def copy_run(run_dir: Path, bench_docs: Path) -> Path:
    """Copy a run's report and plots into ``bench_docs``; returns the report's new path."""
    text = (run_dir / "report.md").read_text()
    scale = parse_report(text).scale
    prefix = "" if scale == "small" else f"{scale}-"
    bench_docs.mkdir(parents=True, exist_ok=True)
    for plot in sorted(run_dir.glob("*.png")):
        shutil.copyfile(plot, bench_docs / f"{prefix}{plot.name}")
    text = _IMAGE.sub(lambda m: f"![{m.group(1)}]({prefix}{m.group(2)})", text)
    target = bench_docs / f"{scale}-latest.md"
    target.write_text(text)
    return target


def publish(run_dir: Path | None = None, root: Path = ROOT) -> bool:
    """Copy ``run_dir`` (if given) and rewrite the section; True if docs/performance.md changed."""
    if run_dir is not None:
        copy_run(run_dir, root / "docs" / "bench")
    path = root / PERFORMANCE
    before = path.read_text()
    after = replace_section(before, generated_section(root))
    if after != before:
        path.write_text(after)
    return after != before


def check(root: Path = ROOT) -> list[str]:
    """The differences between the section in docs/performance.md and the generated one (none: [])."""
    standing = current_section((root / PERFORMANCE).read_text())
    wanted = generated_section(root)
    return list(
        difflib.unified_diff(
            standing.splitlines(), wanted.splitlines(), PERFORMANCE, "generated", lineterm=""
        )
    )


def main(
    run: Annotated[
        Path | None,
        typer.Option(help="A run's output directory (report.md, plots) to copy to docs/bench first."),
    ] = None,
    check_only: Annotated[
        bool, typer.Option("--check", help="Only compare; exit 1 if the section is not the generated one.")
    ] = False,
) -> None:
    """Regenerate docs/performance.md's "Latest figures" from docs/bench/small-latest.md."""
    if check_only:
        differences = check()
        for line in differences:
            typer.echo(line)
        if differences:
            typer.echo(f"{PERFORMANCE} is stale: run python -m benchmarks.report.publish", err=True)
            raise typer.Exit(1)
        typer.echo(f"{PERFORMANCE}: Latest figures match {SOURCE}")
        return
    changed = publish(run)
    typer.echo(f"{PERFORMANCE}: Latest figures {'rewritten' if changed else 'already current'} from {SOURCE}")


if __name__ == "__main__":
    typer.run(main)
