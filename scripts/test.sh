#!/usr/bin/env bash
# The CI test run: lint, services, migrations, the whole pytest suite.
#
# Uses BOXOFFICE_DATABASE_URL / BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS when both are set;
# otherwise starts the local launcher (`boxoffice infra up`) and exports its URLs,
# so every test and every process a test spawns uses the same services.
# Lint findings fail the run (LINT=warn only reports them, for work in progress).
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
artifacts=test-artifacts
mkdir -p "$artifacts"

lint_status=0
scripts/lint.sh >"$artifacts/lint.log" 2>&1 || lint_status=$?
if ((lint_status)); then
    grep -E '^(== .*FAILED|lint failed)' "$artifacts/lint.log" || true
    echo "lint: findings above, details in $artifacts/lint.log"
else
    echo "lint: passed"
fi

if [[ -n "${BOXOFFICE_DATABASE_URL:-}" && -n "${BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS:-}" ]]; then
    echo "services: from BOXOFFICE_DATABASE_URL and BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS"
    local_services=0
else
    "$bin/boxoffice" infra up --local
    eval "$("$bin/boxoffice" infra env --local)"
    export BOXOFFICE_DATABASE_URL BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS
    local_services=1
fi
"$bin/boxoffice" db upgrade

pytest_status=0
"$bin/pytest" --junitxml="$artifacts/junit.xml" "$@" 2>&1 | tee "$artifacts/pytest.log" || pytest_status=${PIPESTATUS[0]}
# 5 means pytest collected no tests. With arguments (PYTEST_ARGS: a path, -k or
# -m selecting a subset) an empty selection is not a failure of the code, e.g.
# a marker that has no tests on this branch yet. Without arguments it is the
# whole suite that collected nothing (testpaths wrong, a conftest or plugin
# deselecting everything...): a run that tested nothing must not pass.
# Checked by tests/unit/test_test_script.py.
if ((pytest_status == 5 && $# > 0)); then pytest_status=0; fi

echo
echo "logs:"
echo "  pytest:     $artifacts/pytest.log (JUnit: $artifacts/junit.xml)"
echo "  lint:       $artifacts/lint.log"
if ((local_services)); then
    "$bin/boxoffice" infra status --local | grep ' log: ' | sed 's/^/  /'
fi

if ((pytest_status)); then
    echo "tests FAILED (pytest exit $pytest_status)"
    exit "$pytest_status"
fi
if ((lint_status)) && [[ "${LINT:-strict}" == strict ]]; then
    echo "lint FAILED (LINT=strict)"
    exit 1
fi
echo "tests passed"
