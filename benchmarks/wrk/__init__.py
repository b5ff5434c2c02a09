"""wrk, the load generator of the command benchmark: finding (or installing) it, running it, reading it.

wrk (Debian package ``wrk``) is a C event loop; a Lua script (``holds.lua``) builds each
request and counts each answer's status, so one wrk thread drives hundreds of
connections for a fraction of a core, where a Python client would measure
itself. ``scripts/install-bench-tools.sh`` installs it when it is missing.

Each run prints one ``WRK_RESULT {json}`` line (from ``done`` in ``tally.lua``, which every script loads):
counts of 201 / 409 / other statuses, wrk's error counters and its latency
percentiles in microseconds. wrk's latency covers every completed request,
whatever its status, so a case with many 409s is faster than its holds.
"""

import asyncio
import json
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from infra.settings import REPO_ROOT

SCRIPT = Path(__file__).with_name("holds.lua")
INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install-bench-tools.sh"
RESULT_PREFIX = "WRK_RESULT "
TIMEOUT_SECONDS = 60  # wrk drops (counts as timeouts, never times) answers slower than its --timeout


class WrkError(RuntimeError):
    """wrk is missing and cannot be installed, or a run failed or printed no result."""


def find_wrk() -> str | None:
    return shutil.which("wrk")


def ensure_wrk(install: bool = True) -> str:
    """The path of ``wrk``; when missing and ``install``, run ``scripts/install-bench-tools.sh`` first."""
    found = find_wrk()
    if found is None and install and INSTALL_SCRIPT.exists():
        done = subprocess.run([str(INSTALL_SCRIPT)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise WrkError(f"{INSTALL_SCRIPT.name} failed: {(done.stderr or done.stdout).strip()}")
        found = find_wrk()
    if found is None:
        raise WrkError("wrk is not installed: run scripts/install-bench-tools.sh (apt-get install -y wrk)")
    return found


def wrk_version(binary: str) -> str:
    """wrk's own version line (``wrk -v`` prints it and exits 1)."""
    done = subprocess.run([binary, "-v"], capture_output=True, text=True, check=False)
    first = (done.stdout or done.stderr).splitlines()
    return first[0].split(" Copyright")[0].strip() if first else "unknown"


@dataclass(frozen=True, slots=True)
class WrkResult:
    """One wrk run: status counts, wrk's error counters and its latency (every completed request)."""

    connections: int
    seconds: float
    requests: int
    ok: int  # 201 for holds, 200 for the floor
    conflicts: int  # 409
    other: int  # any other status
    other_statuses: dict[str, int]
    errors: dict[str, int]  # wrk's: connect, read, write, status (>= 400, 409 included), timeout
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    ok_per_s: float  # accepted holds (or floor answers) per second of the run
    requests_per_s: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def not_accepted(row: dict[str, Any]) -> int:
    """Of a run's row (:meth:`WrkResult.as_dict` and more), the answers of another status than
    201/200 or 409 and the requests wrk lost to socket errors and timeouts (its ``status`` counter
    counts answers already in ``other`` or ``conflicts``)."""
    return int(row["other"]) + sum(int(v) for k, v in row["errors"].items() if k != "status")


def parse_result(output: str, connections: int) -> WrkResult:
    """The ``WRK_RESULT`` line of wrk's output; WrkError when there is none."""
    for line in output.splitlines():
        if line.startswith(RESULT_PREFIX):
            data = json.loads(line[len(RESULT_PREFIX) :])
            break
    else:
        raise WrkError(f"wrk printed no result line:\n{output[-2000:]}")
    lat = data["latency_us"]
    seconds = data["duration_us"] / 1e6
    requests, ok = int(data["requests"]), int(data["ok"])
    return WrkResult(
        connections=connections,
        seconds=round(seconds, 3),
        requests=requests,
        ok=ok,
        conflicts=int(data["conflicts"]),
        other=int(data["other"]),
        other_statuses={str(k): int(v) for k, v in data["other_statuses"].items()},
        errors={str(k): int(v) for k, v in data["errors"].items()},
        p50_ms=_ms(lat["p50"]),
        p90_ms=_ms(lat["p90"]),
        p99_ms=_ms(lat["p99"]),
        max_ms=_ms(lat["max"]),
        mean_ms=_ms(lat["mean"]),
        ok_per_s=round(ok / seconds, 1) if seconds > 0 else 0.0,
        requests_per_s=round(requests / seconds, 1) if seconds > 0 else 0.0,
    )


def _ms(microseconds: float) -> float:
    return round(float(microseconds) / 1000, 2)


def wrk_argv(
    binary: str,
    url: str,
    *,
    connections: int,
    seconds: float,
    options: Mapping[str, str | int],
    headers: Sequence[str] = (),
    threads: int = 1,
    script: Path = SCRIPT,
) -> list[str]:
    """The command line: ``threads`` threads (1 keeps the generator light), ``connections``
    keep-alive connections for ``seconds``, the Lua script (default ``holds.lua``) with
    ``options`` as key=value args."""
    argv = [binary, f"-t{min(threads, connections)}", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
    argv += [f"--timeout={TIMEOUT_SECONDS}s", "--latency", "-s", str(script)]
    for header in headers:
        argv += ["-H", header]
    return [*argv, url, "--", *(f"{k}={v}" for k, v in options.items())]


async def start_wrk(argv: list[str]) -> asyncio.subprocess.Process:
    """wrk started with ``argv``, its output (stdout and stderr) piped for :func:`wrk_output`."""
    return await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )


async def wrk_output(process: asyncio.subprocess.Process) -> str:
    """What a started wrk printed, once it exits. It never leaves wrk running: when this is cancelled
    (also by an ``asyncio.timeout`` around it), wrk is killed and waited for, and the error goes on."""
    try:
        out, _ = await process.communicate()
    except asyncio.CancelledError:
        await kill_wrk(process)
        raise
    return out.decode(errors="replace")


async def kill_wrk(process: asyncio.subprocess.Process) -> None:
    """Kill wrk if it still runs, and wait for it."""
    if process.returncode is None:
        process.kill()
        await process.wait()


async def run_wrk(argv: list[str], connections: int) -> WrkResult:
    """Run wrk to completion and parse its result line."""
    process = await start_wrk(argv)
    text = await wrk_output(process)
    if process.returncode != 0:
        raise WrkError(f"wrk exited with {process.returncode}:\n{text[-2000:]}")
    return parse_result(text, connections)
