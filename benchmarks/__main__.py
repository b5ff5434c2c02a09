"""``python -m benchmarks [--scale tiny|small|large] [--out DIR]``."""

import typer

from benchmarks.cli import bench

if __name__ == "__main__":
    typer.run(bench)
