#!/usr/bin/env bash
# promtool, which checks and unit-tests the alert rules (infra/monitoring/rules.yml): Debian's
# prometheus package (its server is not started here). Quiet and quick when already there.
# Usage: scripts/install-monitoring-tools.sh   (root on Debian; otherwise it says what to install)
set -euo pipefail
command -v promtool >/dev/null && exit 0
source "$(dirname "$0")/apt-packages.sh"
apt_install "the alert rule tests" promtool "prometheus" --no-install-recommends
command -v promtool >/dev/null
