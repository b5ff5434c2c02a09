"""scripts/test.sh: which pytest exit statuses fail the CI run.

The real script runs from a copy in a temporary tree whose ``scripts/lint.sh``,
``.venv/bin/boxoffice`` and ``.venv/bin/pytest`` are stubs, so no lint, service,
migration or test runs: only the script's own decisions are exercised.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "test.sh"
BASH = shutil.which("bash") or "/bin/bash"
NO_TESTS_COLLECTED = 5


def stub(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!{BASH}\n{body}\n")
    path.chmod(0o755)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of scripts/test.sh with stubs for everything it calls."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(SCRIPT, tmp_path / "scripts" / "test.sh")
    stub(tmp_path / "scripts" / "lint.sh", "echo 'lint passed'")
    stub(tmp_path / ".venv" / "bin" / "boxoffice", "exit 0")
    stub(tmp_path / ".venv" / "bin" / "pytest", 'echo "pytest $*" >>pytest-calls; exit "$FAKE_PYTEST_STATUS"')
    return tmp_path


def run(tree: Path, pytest_status: int, *args: str) -> subprocess.CompletedProcess[str]:
    """scripts/test.sh with ``args``, its pytest exiting with ``pytest_status``."""
    env = {
        **os.environ,
        "FAKE_PYTEST_STATUS": str(pytest_status),
        # both set: the script uses them and starts no services
        "BOXOFFICE_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        "BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
    }
    return subprocess.run(
        [BASH, str(tree / "scripts" / "test.sh"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_a_full_run_that_collects_nothing_fails(tree: Path) -> None:
    result = run(tree, NO_TESTS_COLLECTED)
    assert result.returncode == NO_TESTS_COLLECTED, result.stdout + result.stderr
    assert "tests FAILED (pytest exit 5)" in result.stdout
    assert (tree / "pytest-calls").read_text().split() == ["pytest", "--junitxml=test-artifacts/junit.xml"]


@pytest.mark.parametrize(
    "args",
    [("tests/unit",), ("-m", "no_such_marker"), ("-k", "nothing_matches_this"), ("tests/e2e", "-q")],
)
def test_a_selected_subset_that_collects_nothing_passes(tree: Path, args: tuple[str, ...]) -> None:
    result = run(tree, NO_TESTS_COLLECTED, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.endswith("tests passed\n")
    assert (tree / "pytest-calls").read_text().split() == [
        "pytest",
        "--junitxml=test-artifacts/junit.xml",
        *args,
    ]


@pytest.mark.parametrize(("status", "args"), [(0, ()), (0, ("-k", "x")), (1, ()), (1, ("-k", "x")), (2, ())])
def test_other_statuses_are_kept(tree: Path, status: int, args: tuple[str, ...]) -> None:
    assert run(tree, status, *args).returncode == status
