"""``python -m benchmarks.commands [--quick] [--levels 1,8,32,64] [--duration 10] ...``."""

import typer

from benchmarks.commands.cli import commands

if __name__ == "__main__":
    typer.run(commands)
