#!/usr/bin/env bash
# Every static check, each run even when an earlier one fails; exit 1 if any failed.
# Usage: scripts/lint.sh   (from anywhere; uses the repo's .venv)
set -uo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
failed=()

check() {
    local name=$1; shift
    echo "== $name: $*"
    if "$@"; then echo "== $name: ok"; else echo "== $name: FAILED"; failed+=("$name"); fi
}

check ruff "$bin/ruff" check .
check format "$bin/ruff" format --check .
check mypy "$bin/mypy" .
check imports "$bin/lint-imports"

if ((${#failed[@]})); then
    echo "lint failed: ${failed[*]}"
    exit 1
fi
echo "lint passed"
