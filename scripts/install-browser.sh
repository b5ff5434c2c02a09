#!/usr/bin/env bash
# Debian's Chromium for the dashboard page's browser test (Playwright drives it;
# it never downloads a browser of its own). Quiet and quick when already there.
set -euo pipefail
[[ -x /usr/bin/chromium ]] && fc-list 2>/dev/null | grep -qi dejavu && exit 0
source "$(dirname "$0")/apt-packages.sh"
apt_install "the browser test" chromium "chromium fonts-dejavu-core"
