#!/bin/bash
# Soak, short: ktop with every tab for 120 s under the mixed workload of
# tests/soak/run.sh (syscall storm, direct I/O, mmap_lock contention, pipe
# churn, short-lived processes and threads); RSS flat over the second minute,
# fds unchanged, no refresh above 2 s, BPF map occupancy not growing, clean
# exit. `make soak SOAK_SECONDS=N` is the long version.
#
# RSS allowance 16 MiB, not the long run's 5: ktop's map-read buffers grow to
# the highest occupancy seen, one realloc at a time (the allocs map alone
# takes 8 MiB of keys and values at its 262144 entries), and on a busy
# machine a new high can come after the first minute; a two-minute run
# cannot tell that from a leak of a few MiB. Smaller leaks: LSan at exit in make asan, which
# runs this test too, and the hour-long make soak (docs/reliability.md).
. tests/integ/lib.sh
need_root
need_cmd jq
need_cmd bpftool
KTOP=$KTOP WL=$WL SOAK_RSS_KB=${SOAK_RSS_KB:-16384} tests/soak/run.sh "${SOAK_SHORT_SECONDS:-120}"
