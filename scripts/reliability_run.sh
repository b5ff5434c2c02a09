#!/usr/bin/env bash
# Run the reliability and security suites once and keep what docs/reliability.md's figures are made of,
# in test-artifacts/reliability/ (git-ignored): figures.jsonl (one JSON line per fault scenario, written
# by tests/reliability/conftest.py), junit.xml (every test with its outcome, call time and output),
# pytest.log, and run.json (commit, uncommitted files, start and end, cores, load averages, exit status).
# Then regenerate the doc's "Figures of the last run":
#     .venv/bin/python scripts/reliability_figures.py --write
#
# Usage: scripts/reliability_run.sh [pytest args]   (default: tests/reliability tests/security)
# Services as for any test run (BOXOFFICE_DATABASE_URL / BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS, or the local
# launcher); the fault tests start a private Kafka + PostgreSQL of their own. Takes 5 to 15 minutes
# depending on the load of the machine (13.5 min for the run docs/reliability.md quotes).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${RELIABILITY_ARTIFACTS:-test-artifacts/reliability}
mkdir -p "$out"
rm -f "$out/figures.jsonl" "$out/junit.xml" "$out/pytest.log" "$out/run.json"
args=("$@")
((${#args[@]})) || args=(tests/reliability tests/security)

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# before tests/reliability/harness/losses.py the scenarios reported "lost" as a constant 0
counts_lost=$([[ -f tests/reliability/harness/losses.py ]] && echo true || echo false)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
BOXOFFICE_RELIABILITY_FIGURES="$PWD/$out/figures.jsonl" .venv/bin/pytest "${args[@]}" -q -p no:cacheprovider \
    --junitxml="$out/junit.xml" -o junit_logging=system-out -o junit_duration_report=call 2>&1 | tee "$out/pytest.log"
status=${PIPESTATUS[0]}

STARTED=$started LOAD_START=$load_start LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg) STATUS=$status \
ARGS="${args[*]}" OUT=$out COUNTS_LOST=$counts_lost .venv/bin/python - <<'EOF'
import json, os, subprocess
from datetime import UTC, datetime

def git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=False).stdout

run = {
    "command": f"pytest {os.environ['ARGS']}",
    "commit": git("rev-parse", "HEAD").strip(),
    "uncommitted": [line[3:] for line in git("status", "--porcelain").splitlines()
                    if not line[3:].startswith("test-artifacts/")],
    "started_at": os.environ["STARTED"],
    "finished_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "cores": os.cpu_count(),
    "load_average_start": [float(x) for x in os.environ["LOAD_START"].split()],
    "load_average_end": [float(x) for x in os.environ["LOAD_END"].split()],
    "exit_status": int(os.environ["STATUS"]),
    "counts_lost_effects": os.environ["COUNTS_LOST"] == "true",
}
with open(os.path.join(os.environ["OUT"], "run.json"), "w") as f:
    json.dump(run, f, indent=1)
EOF
echo "artifacts in $out; now: .venv/bin/python scripts/reliability_figures.py --write"
exit "$status"
