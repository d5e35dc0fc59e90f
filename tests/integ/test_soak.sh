#!/bin/bash
# Soak, short: ktop with every tab for 120 s under the mixed workload of
# tests/soak/run.sh (syscall storm, direct I/O, mmap_lock contention, pipe
# churn, short-lived processes and threads); RSS growth in the second minute
# under 16 MiB, fds unchanged, no refresh above 2 s, BPF map occupancy not
# growing, clean exit. `make soak SOAK_SECONDS=N` is the long version.
#
# RSS allowance 16 MiB, not the long run's 5: ktop's map-read buffers are
# touched as far as the highest occupancy seen, so a burst in the second
# minute (the outstanding-allocation map alone can take 10 MiB at its
# capacity) is growth a two-minute run cannot tell from a leak. Since big
# buffers are mmap()ed (core_open) RSS stays flat otherwise: +16 KiB from
# the end of the warm-up to the end here. Leaks proper: LSan at exit in make
# asan, which runs this test too, and the hour-long make soak.
. tests/integ/lib.sh
need_root
need_cmd jq
need_cmd bpftool
KTOP=$KTOP WL=$WL SOAK_RSS_KB=${SOAK_RSS_KB:-16384} tests/soak/run.sh "${SOAK_SHORT_SECONDS:-120}"
