"""``python -m benchmarks.reads [--quick] [--duration 10] [--orders 20000] ...``."""

import typer

from benchmarks.reads.cli import reads

if __name__ == "__main__":
    typer.run(reads)
