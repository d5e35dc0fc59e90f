#!/bin/bash
# make bench: runs every tests/bench/case_*.sh in name order, keeps going when
# one fails, and prints one summary table of medians, ratios and targets.
#
# Environment: KTOP (default ./ktop), WL (default build/workloads), BENCH_O
# (build dir holding bench/floor), BENCH_QUICK=1 for a short trial,
# BENCH_CASES="syscalls self" to run only some cases, BENCH_CASE_TIMEOUT
# (seconds per case, default 300, 120 when quick; a case may ask for more
# with a "# bench-timeout: SECONDS" line, used when BENCH_CASE_TIMEOUT is unset).
set -u
cd "$(dirname "$0")/../.." || exit 1
export KTOP=${KTOP:-./ktop}
export BENCH_QUICK=${BENCH_QUICK:-0}
[ -n "${WL:-}" ] && export WL
[ -n "${BENCH_O:-}" ] && export BENCH_O
if [ "$BENCH_QUICK" = 1 ]; then
	timeout_s=${BENCH_CASE_TIMEOUT:-120}
else
	timeout_s=${BENCH_CASE_TIMEOUT:-300}
fi

if [ "$(id -u)" != 0 ]; then
	echo "bench: needs root (loads BPF programs)" >&2
	exit 1
fi
[ -x "$KTOP" ] || { echo "bench: no ktop binary at $KTOP (make all, or KTOP=path)" >&2; exit 1; }

work=$(mktemp -d /tmp/ktop-bench-run.XXXXXX)
export BENCH_RESULTS=$work/results.tsv BENCH_PIDS=$work/pids
: > "$BENCH_RESULTS"
: > "$BENCH_PIDS"
. tests/bench/lib.sh	# for prog_count, sweep_pids, mount_tracefs; its TMPD is ours
BENCH_CASE=run
trap 'sweep_pids "$BENCH_PIDS"; rm -rf "$work" "$TMPD"' EXIT

mount_tracefs
progs_before=$(prog_count)
start=$(date +%s)
cat <<EOF
ktop benchmark suite $(date -u +%Y-%m-%dT%H:%M:%SZ)
  machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)
  load average at start: $(cut -d' ' -f1-3 /proc/loadavg)$([ "$BENCH_QUICK" = 1 ] && echo "   (BENCH_QUICK=1: short trial)")
  ktop: $KTOP ($("$KTOP" -V 2>/dev/null | head -n 1))
  BPF programs loaded before: $progs_before
EOF

declare -a status
for f in tests/bench/case_*.sh; do
	name=$(basename "$f" .sh)
	name=${name#case_}
	if [ -n "${BENCH_CASES:-}" ] && ! [[ " $BENCH_CASES " == *" $name "* ]]; then
		continue
	fi
	echo
	echo "== $name ($f)"
	t0=$(date +%s)
	# --foreground: Ctrl-C still reaches the case (and its tracers)
	t=$timeout_s
	own=$(sed -n 's/^# bench-timeout: \([0-9]*\)$/\1/p' "$f" | head -1)
	[ -z "${BENCH_CASE_TIMEOUT:-}" ] && [ "$BENCH_QUICK" != 1 ] && [ -n "$own" ] && t=$own
	BENCH_CASE=$name timeout --foreground -k 15 "$t" bash "$f"
	rc=$?
	sweep_pids "$BENCH_PIDS"	# anything a dead case left running
	case $rc in
	0) st=ok ;;
	124|137) st="TIMED OUT after ${t}s" ;;
	*) st="FAILED (exit $rc)" ;;
	esac
	status+=("$(printf '%-10s %-28s %4ss' "$name" "$st" $(($(date +%s) - t0)))")
	[ "$rc" = 0 ] || printf '%s\tcase\t%s\t\t%s\n' "$name" "$st" FAIL >> "$BENCH_RESULTS"
done

wait_progs_at_most "$progs_before"
progs_after=$(prog_count)

echo
echo "== summary ($(($(date +%s) - start)) s, load average now $(cut -d' ' -f1-3 /proc/loadavg))"
for s in "${status[@]}"; do
	echo "  $s"
done
echo
print_results "$BENCH_RESULTS"
echo
echo "reproduce by hand:"
awk -F'\t' '$2 == "reproduce" { printf "  [%s] %s\n", $1, $3 }' "$BENCH_RESULTS"
echo
if [ "$progs_after" -le "$progs_before" ]; then
	echo "BPF programs loaded: $progs_before before, $progs_after after: none left behind"
else
	echo "BPF programs loaded: $progs_before before, $progs_after after: CHECK (others on this machine may load programs too):"
	bpftool prog show 2>/dev/null | grep '^[0-9]*:' | sed 's/^/  /'
fi
# Not a pass/fail test: the exit status says only whether every case ran.
for s in "${status[@]}"; do
	case "$s" in *" ok "*) ;; *) exit 1 ;; esac
done
exit 0
