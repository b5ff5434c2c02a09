#!/usr/bin/env bash
# promtool, which checks and unit-tests the alert rules (infra/monitoring/rules.yml): Debian's
# prometheus package (its server is not started here). Quiet and quick when already there.
# Usage: scripts/install-monitoring-tools.sh   (root on Debian; otherwise it says what to install)
set -euo pipefail
if command -v promtool >/dev/null; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "the alert rule tests need promtool: apt-get install -y prometheus (Debian package 'prometheus')" >&2
    exit 1
fi
echo "installing promtool for the alert rule tests (apt-get install prometheus)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends prometheus >/dev/null
command -v promtool >/dev/null
