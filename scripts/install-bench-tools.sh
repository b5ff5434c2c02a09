#!/usr/bin/env bash
# Tools of the command benchmark (`python -m benchmarks.commands`): Debian's wrk, the HTTP load
# generator with Lua scripting. Quiet and quick when already there.
# Usage: scripts/install-bench-tools.sh   (root on Debian; otherwise it says what to install)
set -euo pipefail
command -v wrk >/dev/null && exit 0
source "$(dirname "$0")/apt-packages.sh"
apt_install "the command benchmark" wrk "wrk"
command -v wrk >/dev/null
