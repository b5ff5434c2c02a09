#!/usr/bin/env bash
# Debian's Chromium for the dashboard page's browser test (Playwright drives it;
# it never downloads a browser of its own). Quiet and quick when already there.
set -euo pipefail
if [[ -x /usr/bin/chromium ]] && fc-list 2>/dev/null | grep -qi dejavu; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "the browser test needs Debian's chromium: apt-get install -y chromium fonts-dejavu-core" >&2
    exit 1
fi
echo "installing chromium for the browser test (apt-get install chromium fonts-dejavu-core)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
