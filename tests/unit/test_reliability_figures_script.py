"""scripts/reliability_figures.py renders docs/reliability.md's figures from a run's artifacts only."""

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "reliability_figures.py"


@pytest.fixture(scope="module")
def figures() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reliability_figures", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scenario(name: str, fault: dict[str, Any], events: int, resent: int) -> dict[str, Any]:
    return {
        "test": f"tests/reliability/test_x.py::test_{name}",
        "scenario": name,
        "fault": fault,
        "load": {
            "journeys": 10,
            "requests": 100,
            "accepted": {"hold": 5, "order": 4, "payment": 3, "cancel": 2, "release": 1},
            "by_status": {"201": 60, "409": 30, "503": 10},
            "unreachable": 0,
        },
        "topic": {"records": events, "events": events, "resent_duplicates": resent, "poison": 0},
        "write_model": {"sold_seats": 7, "orders_paid": 3, "orders_expired": 1},
        "read_model": {"seats_compared_with_write_model": 48, "view_rows_compared_with_replay": 57},
        "secrets_grepped_in_logs": 3,
        "process_crashes_restarted": {},
        "lost": 0,
    }


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="0" failures="1" skipped="0" tests="4" time="75.5"
 timestamp="2030-01-02T03:04:05">
<testcase classname="tests.reliability.test_x" name="test_relay" time="30.2"/>
<testcase classname="tests.reliability.test_x" name="test_postgres" time="12.0"/>
<testcase classname="tests.security.test_security_schemathesis"
 name="test_command_api_schema_holds_under_fuzzing" time="20.0"><system-out>
command API: {'positive': 5, 'negative': 4, 'operations': 2}
</system-out></testcase>
<testcase classname="tests.security.test_security_access" name="test_wrong_roles_get_403[GET-/x]" time="0.1">
<failure message="boom">boom</failure></testcase>
</testsuite></testsuites>
"""


def artifacts(tmp_path: Path) -> Path:
    (tmp_path / "junit.xml").write_text(JUNIT)
    lines = [
        scenario("relay", {"relay_sigkills_between_publish_and_mark": 2, "rows": [3, 4]}, 50, 7),
        scenario("postgres", {"postgres_stopped": 1, "command_503": 3}, 80, 7),
    ]
    (tmp_path / "figures.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    run = {
        "command": "pytest tests/reliability tests/security",
        "commit": "0123456789abcdef",
        "uncommitted": [],
        "started_at": "2030-01-02T03:04:05Z",
        "cores": 2,
        "load_average_start": [0.5, 0.1, 0.1],
        "load_average_end": [1.5, 0.1, 0.1],
    }
    (tmp_path / "run.json").write_text(json.dumps(run))
    return tmp_path


def test_every_figure_comes_from_the_artifacts(figures: ModuleType, tmp_path: Path) -> None:
    text = figures.render(artifacts(tmp_path))
    flat = " ".join(text.split())
    assert text.startswith(figures.BEGIN)
    assert text.endswith(figures.END)
    assert "Run of 2030-01-02 (03:04 UTC) at commit `0123456789`" in flat
    assert "**3 passed, 1 failed in 1 min 16 s** on 2 cores" in flat
    assert "Not passed: `tests/security/test_security_access.py::test_wrong_roles_get_403` failed." in flat
    assert "| relay | 10 / 100 | 5, 4, 3, 2, 1 | 201: 60, 409: 30, 503: 10 |" in flat
    assert "relay sigkills between publish and mark: 2, rows: [3, 4] | 50 (7, 0) |" in flat
    assert "**200 command requests, 30 accepted commands, 80 events** relayed (7 of them re-sent" in flat
    assert "2 process or service kills, 1 PostgreSQL outage, 0 poison records" in flat
    assert "While PostgreSQL was down the load got 10 answers of 503" in flat
    assert "command API: 2 operations, 5 valid and 4 invalid examples" in flat


def test_write_and_check_rewrite_only_the_section(figures: ModuleType, tmp_path: Path) -> None:
    out = artifacts(tmp_path)
    doc = tmp_path / "reliability.md"
    doc.write_text(f"# Doc\n\n{figures.BEGIN}\nold\n{figures.END}\n\nafter\n")
    assert figures.main(["--artifacts", str(out), "--doc", str(doc), "--check"]) == 1
    assert figures.main(["--artifacts", str(out), "--doc", str(doc), "--write"]) == 0
    assert figures.main(["--artifacts", str(out), "--doc", str(doc), "--check"]) == 0
    written = doc.read_text()
    assert written.startswith("# Doc\n\n")
    assert written.endswith("\n\nafter\n")
