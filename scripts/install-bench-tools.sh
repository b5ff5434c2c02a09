#!/usr/bin/env bash
# Tools of the command benchmark (`python -m benchmarks.commands`): Debian's wrk, the HTTP load
# generator with Lua scripting. Quiet and quick when already there.
# Usage: scripts/install-bench-tools.sh   (root on Debian; otherwise it says what to install)
set -euo pipefail
if command -v wrk >/dev/null; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "the command benchmark needs wrk: apt-get install -y wrk (Debian package 'wrk')" >&2
    exit 1
fi
echo "installing wrk for the command benchmark (apt-get install wrk)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq wrk >/dev/null
command -v wrk >/dev/null
