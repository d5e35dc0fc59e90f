#!/bin/bash
# Soak, short: ktop with every tab for 120 s under the mixed workload of
# tests/soak/run.sh (syscall storm, direct I/O, mmap_lock contention, pipe
# churn, short-lived processes and threads); RSS flat after the first minute,
# fds unchanged, no refresh above 2 s, BPF map occupancy not growing, clean
# exit. `make soak SOAK_SECONDS=N` is the long version.
. tests/integ/lib.sh
need_root
need_cmd jq
need_cmd bpftool
KTOP=$KTOP WL=$WL tests/soak/run.sh "${SOAK_SHORT_SECONDS:-120}"
