"""The read benchmark's CPU by case: the window over real child processes, and its report table."""

import subprocess
import sys
from typing import Any

from benchmarks.cpu import cpu_seconds
from benchmarks.reads.cpu_share import BENCH, HOLDS_WRK, WRK, CpuWindow, component, cpu_rows, cpu_section

# Waits for a line, burns 0.3 s of CPU, says so, then waits until its stdin closes.
BURNER = (
    "import sys, time\n"
    "sys.stdin.readline()\n"
    "t = time.process_time()\n"
    "while time.process_time() - t < 0.3: pass\n"
    "print('done', flush=True)\n"
    "sys.stdin.read()\n"
)
# Burns 0.2 s of CPU and exits, as a wrk run does within a case.
SHORT_BURN = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.2: pass\n"


def test_stack_processes_count_by_role() -> None:
    assert component("query-api") == "query-api"
    assert component("query-api-w2") == "query-api"
    assert component("baseline-cached") == "baseline"
    assert component("projector") == "projector"
    assert component("command-api") == "command-api"
    assert component(HOLDS_WRK) == HOLDS_WRK
    assert component("something-else") == "something-else"


def test_a_window_counts_a_live_process_tree_and_the_children_that_ended_in_it() -> None:
    with subprocess.Popen(
        [sys.executable, "-c", BURNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as burner:
        assert burner.stdin is not None
        assert burner.stdout is not None
        window = CpuWindow.open({"query-api-w2": burner.pid, "command-worker": burner.pid + 10_000_000})
        burner.stdin.write("go\n")
        burner.stdin.flush()
        assert burner.stdout.readline() == "done\n"
        subprocess.run([sys.executable, "-c", SHORT_BURN], check=True)
        used = window.close()
        burner.stdin.close()
    cpu_s = used["cpu_s"]
    assert cpu_s["query-api"] >= 0.25, used  # the live tree's 0.3 s, under its role's name
    assert cpu_s["command-worker"] == 0.0, "a pid that does not exist counts nothing"
    assert cpu_s[WRK] >= 0.15, used  # the child that ended inside the window
    assert {"postgresql", "kafka", BENCH} <= cpu_s.keys()
    assert used["seconds"] > 0


def test_one_process_cpu_seconds_and_none_once_it_is_gone() -> None:
    with subprocess.Popen(
        [sys.executable, "-c", BURNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as burner:
        assert burner.stdin is not None
        assert burner.stdout is not None
        burner.stdin.write(b"go\n")
        burner.stdin.flush()
        assert burner.stdout.readline() == b"done\n"
        assert (cpu_seconds(burner.pid) or 0.0) >= 0.25
        burner.stdin.close()
    assert cpu_seconds(burner.pid) is None


def _window(seconds: float, **cpu_s: float) -> dict[str, Any]:
    return {"seconds": seconds, "cpu_s": {name.replace("_", "-"): v for name, v in cpu_s.items()}}


def _closed(target: str, endpoint: str, workers: int, rate: float, cpu: dict[str, Any]) -> dict[str, Any]:
    return {
        "target": target,
        "endpoint": endpoint,
        "query_api_workers": workers,
        "requests_per_s": rate,
        "cpu": cpu,
    }


def _results() -> dict[str, Any]:
    return {
        "closed": [
            _closed("query_api", "healthz", 1, 789.0, _window(10.0, query_api=9.5, postgresql=0.5, wrk=2.0)),
            _closed("baseline_cached", "healthz", 1, 2500.0, _window(10.0, baseline=9.0, wrk=4.0)),
            _closed("query_api", "healthz", 2, 2346.0, _window(10.0, query_api=15.0, wrk=6.0)),
        ],
        "open": {"requests_per_s": 990.0, "cpu": _window(5.0, query_api=2.5, holds_wrk=0.5)},
        "freshness": {"read_model": [{"throughput": 180.0}], "cpu": _window(15.0, bench=3.0, projector=1.5)},
        "machine": {"cpu_cores": 2},
    }


def test_the_rows_follow_the_sections_a_to_d() -> None:
    rows = cpu_rows(_results())
    assert [(r.section, r.case) for r in rows] == [
        ("(a)", "read model (query API) `healthz`"),
        ("(a)", "baseline cached `healthz`"),
        ("(b)", "read model (query API) `availability`, open loop"),
        ("(c)", "freshness: holds, each read with its token"),
        ("(d) 2 processes", "read model (query API) `healthz`"),
    ]
    assert [r.rate for r in rows] == ["789", "2,500", "990", "180", "2,346"]


def test_the_table_gives_each_components_share_of_a_core() -> None:
    text = "\n".join(cpu_section(_results()))
    assert text.startswith("## Where the CPU goes\n")
    assert "(200% all 2 cores)" in text
    lines = text.splitlines()
    shares = "| projector | query-api | baseline | postgresql | wrk | holds-wrk | bench | total |"
    assert "| section | case | req/s | seconds " + shares in lines, text
    healthz = "| (a) | read model (query API) `healthz` | 789 | 10.0 "
    assert healthz + "| 0% | 95% | 0% | 5% | 20% | 0% | 0% | 120% |" in lines
    freshness = "| (c) | freshness: holds, each read with its token | 180 | 15.0 "
    assert freshness + "| 10% | 0% | 0% | 0% | 0% | 0% | 20% | 30% |" in lines
    two = "| (d) 2 processes | read model (query API) `healthz` | 2,346 | 10.0 "
    assert two + "| 0% | 150% | 0% | 0% | 60% | 0% | 0% | 210% |" in lines


def test_a_run_without_cpu_windows_has_no_cpu_section() -> None:
    results = _results()
    for row in results["closed"]:
        del row["cpu"]
    del results["open"]["cpu"]
    del results["freshness"]["cpu"]
    assert cpu_rows(results) == []
    assert cpu_section(results) == []
