"""Child processes of a test: how they are started (argv, environment) and where they listen.

A child is an :class:`~infra.launcher.child.ChildProcess` (the benchmarks use
the same class): it leads its own process group, so a test signals it and
nothing else, and every line it writes goes to its own log file, which tests
may grep afterwards (secrets must never appear there).
"""

import os
import sys
from pathlib import Path

from infra.launcher.child import ChildFailed, ChildProcess, answers, wait_answering
from infra.launcher.proc import free_port, free_ports

PYTHON = sys.executable

__all__ = [
    "PYTHON",
    "ChildFailed",
    "ChildProcess",
    "answers",
    "boxoffice_argv",
    "clean_environment",
    "free_port",
    "free_ports",
    "typer_command",
    "wait_answering",
]


def clean_environment(**overrides: str) -> dict[str, str]:
    """The current environment without any ``BOXOFFICE_*`` variable, plus ``overrides``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOXOFFICE_")}
    # unbuffered, so a SIGKILLed child's last lines are in its log too
    return {**env, "PYTHONUNBUFFERED": "1", **overrides}


def boxoffice_argv(*args: str) -> list[str]:
    """argv of the ``boxoffice`` command installed next to this interpreter, as users run it."""
    return [str(Path(PYTHON).parent / "boxoffice"), *args]


def typer_command(module: str, function: str, *args: str) -> list[str]:
    """Run one typer command function directly (the same function ``boxoffice <name>`` runs)."""
    code = f"import typer; from {module} import {function}; typer.run({function})"
    return [PYTHON, "-c", code, *args]
