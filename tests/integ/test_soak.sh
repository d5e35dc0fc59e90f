#!/bin/bash
# Soak, short: ktop with every tab for 120 s under the mixed workload of
# tests/soak/run.sh (syscall storm, direct I/O, mmap_lock contention, pipe
# churn, short-lived processes and threads); RSS growth in the second minute
# under 32 MiB, fds unchanged, no refresh above 2 s, BPF map occupancy not
# growing, clean exit. `make soak SOAK_SECONDS=N` is the long version.
#
# RSS allowance 32 MiB, not the long run's 5: ktop's buffers and tables grow
# to the highest map occupancy seen, and its RSS climbs in steps of 10-12 MiB
# (up to two within 10 s) during the first minutes of a busy machine before
# it stays flat (docs/reliability.md); a two-minute run cannot tell such a
# step in its second minute from a leak. Leaks proper: LSan at exit in make
# asan, which runs this test too, and the hour-long make soak.
. tests/integ/lib.sh
need_root
need_cmd jq
need_cmd bpftool
KTOP=$KTOP WL=$WL SOAK_RSS_KB=${SOAK_RSS_KB:-32768} tests/soak/run.sh "${SOAK_SHORT_SECONDS:-120}"
