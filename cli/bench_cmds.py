"""``boxoffice bench``: the side-by-side benchmarks (see docs/performance.md).

Wiring in ``cli.main``::

    app.command("bench")(bench_cmds.bench)
"""

from benchmarks.cli import bench

__all__ = ["bench"]
