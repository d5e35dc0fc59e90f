#!/bin/sh
# ktop's entry point on a fresh machine: `./make.sh run` or `./make.sh test`.
# A minimal Debian 12 has no make, so this installs the few packages make
# needs to start (scripts/deps.sh bootstrap) and hands every argument over to
# make, whose targets install the rest (scripts/deps.sh build|test|bench).
set -eu
cd "$(dirname "$0")"
command -v make >/dev/null 2>&1 || scripts/deps.sh bootstrap
exec make "$@"
