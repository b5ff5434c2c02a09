"""The benchmarks' command lines: shared options parse, and each command runs its own benchmark.

No benchmark runs here: the run is replaced by a recorder of what would have run."""

import importlib
import inspect
from pathlib import Path

import pytest
import typer

from benchmarks import run_cli
from benchmarks.cli import bench
from benchmarks.commands.cli import _levels, commands
from benchmarks.commands.config import QUICK_LEVELS, CommandBenchOptions
from benchmarks.config import SCALES, BenchOptions
from benchmarks.reads.cli import reads
from benchmarks.reads.config import ReadBenchOptions


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    """(module, options) of each run the command lines start; every run reports nothing."""
    runs: list[tuple[str, object]] = []

    async def record(module: str, options: object) -> run_cli.Outcome:
        runs.append((module, options))
        return {}, {}

    monkeypatch.setattr(run_cli, "run_lazily", record)
    return runs


def test_levels_are_distinct_and_rising() -> None:
    assert _levels("8,1,8") == (1, 8)
    for bad in ("", "0,1", "x"):
        with pytest.raises(typer.BadParameter):
            _levels(bad)


def test_out_dir_defaults_under_the_state_dir() -> None:
    assert run_cli.out_dir(Path("/x"), "reads") == Path("/x")
    assert run_cli.out_dir(None, "reads").parts[-2:] == ("bench", "reads")
    assert run_cli.out_dir(None).name == "bench"


def test_each_command_runs_its_own_benchmark(started: list[tuple[str, object]], tmp_path: Path) -> None:
    commands(out=tmp_path, quick=True)
    reads(out=tmp_path)
    bench(scale="tiny", out=tmp_path)

    [(c_module, c_options), (r_module, r_options), (b_module, b_options)] = started
    assert isinstance(c_options, CommandBenchOptions)
    assert (c_options.quick, c_options.levels, c_options.out_dir) == (True, QUICK_LEVELS, tmp_path)
    assert isinstance(r_options, ReadBenchOptions)
    assert not r_options.quick
    assert isinstance(b_options, BenchOptions)
    assert b_options.scale == SCALES["tiny"]
    for module in (c_module, r_module, b_module):
        assert inspect.iscoroutinefunction(importlib.import_module(module).run), module


def test_errors_exit_1_after_the_paths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    async def failing(module: str, options: object) -> run_cli.Outcome:
        return {"markdown": tmp_path / "report.md"}, {"floor": "boom"}

    monkeypatch.setattr(run_cli, "run_lazily", failing)
    with pytest.raises(typer.Exit) as exit_:
        commands(out=tmp_path)
    assert exit_.value.exit_code == 1
