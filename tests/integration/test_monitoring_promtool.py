"""Prometheus's own checks of infra/monitoring: the rules load and pass their unit tests, the
scrape config parses.

``make test`` installs promtool (``make monitoring-tools``), so its absence is a failure, not a skip.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

MONITORING = Path(__file__).resolve().parents[2] / "infra" / "monitoring"


@pytest.fixture(scope="module")
def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.fail("promtool is needed (make monitoring-tools: Debian's prometheus package)")
    return found


def run(promtool: str, *args: str) -> str:
    done = subprocess.run(
        [promtool, *args], cwd=MONITORING, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_the_rules_load(promtool: str) -> None:
    assert "SUCCESS: 7 rules found" in run(promtool, "check", "rules", "rules.yml")


def test_the_rules_pass_their_unit_tests(promtool: str) -> None:
    assert "SUCCESS" in run(promtool, "test", "rules", "rules_test.yml")


def test_the_scrape_config_is_valid(promtool: str) -> None:
    run(promtool, "check", "config", "prometheus.yml")


def test_a_wrong_threshold_fails_the_unit_tests(promtool: str, tmp_path: Path) -> None:
    rules = (MONITORING / "rules.yml").read_text()
    assert "max(boxoffice_outbox_backlog_age_seconds) > 60" in rules
    (tmp_path / "rules.yml").write_text(
        rules.replace("backlog_age_seconds) > 60", "backlog_age_seconds) > 600")
    )
    shutil.copy(MONITORING / "rules_test.yml", tmp_path)
    done = subprocess.run(
        [promtool, "test", "rules", "rules_test.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "BoxofficeOutboxBacklogStale" in done.stdout + done.stderr
