#!/bin/bash
# In flight: the cost of the Syscalls tab's in-flight view, one pass of the
# BPF task iterator (bpf/inflight.bpf.c) per interval. Its kernel time is the
# run_time_ns the kernel keeps for the iterator program (one run per task
# visited) while kernel.bpf_stats_enabled is 1; reported per pass and per
# task, on the machine as it is ("idle") and during a syscall storm
# (getppid_loop on every CPU, plus 200 processes blocked opening a FIFO: visited by
# the iterator, not listed, as they blocked before ktop attached). The hot
# path gains nothing: sys_enter only writes its start time before its valid
# flag (a compiler barrier).
# Knobs: IFL_WINDOW (seconds per window).
. "$(dirname "$0")/lib.sh"

if [ "$BENCH_QUICK" = 1 ]; then
	W=${IFL_WINDOW:-5}
else
	W=${IFL_WINDOW:-15}
fi
[ -x "$KTOP" ] || { warn "missing $KTOP"; exit 1; }
[ -x "$WL/getppid_loop" ] || { warn "missing $WL/getppid_loop"; exit 1; }
mount_tracefs

# ifl_fd PID: the fd of PID's inflight_task program (bpftool once per fd: slow)
ifl_fd() {
	local f id
	for f in /proc/"$1"/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = anon_inode:bpf-prog ] || continue
		id=$(awk '/^prog_id:/ { print $2 }' /proc/"$1"/fdinfo/"${f##*/}" 2>/dev/null)
		bpftool prog show id "$id" 2>/dev/null | grep -q ' name inflight_task ' && { echo "${f##*/}"; return 0; }
	done
	return 1
}
# ifl_stats PID FD: "run_time_ns run_cnt" of that program
ifl_stats() {
	awk '/^run_time_ns:/ { t = $2 } /^run_cnt:/ { c = $2 } END { print t + 0, c + 0 }' /proc/"$1"/fdinfo/"$2"
}

# window NAME: W seconds of ktop -b (Syscalls tab); reports the iterator's cost
window() {
	local name=$1 t0 c0 t1 c1 tasks passes t_0 t_1 fd=
	local i
	tracer_start "ktop-$name" "$KTOP" -b --json --panes syscalls -d 1
	for i in $(seq 1 100); do	# attached, first pass done (slow under a storm)
		[ -s "$TMPD/ktop-$name.out" ] && fd=$(ifl_fd "$TRACER_PID") && break
		sleep 0.1
	done
	sleep 1
	bpf_stats_on
	t_0=$(wc -l < "$TMPD/ktop-$name.out")
	[ -n "$fd" ] && read -r t0 c0 < <(ifl_stats "$TRACER_PID" "$fd")
	sleep "$W"
	[ -n "$fd" ] && read -r t1 c1 < <(ifl_stats "$TRACER_PID" "$fd")
	t_1=$(wc -l < "$TMPD/ktop-$name.out")
	bpf_stats_off
	tracer_stop "ktop-$name"
	if [ -z "$t0" ] || [ -z "$t1" ]; then
		warn "no inflight_task program (in flight unavailable on this kernel?)"
		return 1
	fi
	passes=$((t_1 - t_0))		# one pass per interval written
	[ "$passes" -gt 0 ] || passes=$W
	tasks=$(((c1 - c0) / passes))
	say "  $name: $((c1 - c0)) task visits in $passes passes, $(((t1 - t0) / 1000)) us of BPF time"
	result "in flight, $name: tasks per pass" "$tasks"
	result "in flight, $name: BPF us per pass" "$(calc "($t1 - $t0) / $passes / 1000")"
	result "in flight, $name: BPF ns per task" "$(calc "($t1 - $t0) / (($c1 - $c0) + 1)")"
}

window idle || exit 1

# the storm: a getppid loop per CPU, and 200 threads blocked in a pipe read
STORM=""
for c in $(seq 0 $(($(nproc) - 1))); do
	taskset -c "$c" "$WL/getppid_loop" 4000000000 > /dev/null 2>&1 &
	STORM="$STORM $!"
	printf '%s %s %s\n' "$!" "$(awk '{ print $22 }' /proc/$!/stat)" getppid_loop >> "$BENCH_PIDS"
done
mkfifo "$TMPD/hold"
for i in $(seq 1 200); do
	cat "$TMPD/hold" > /dev/null &
	STORM="$STORM $!"
done
BENCH_ON_EXIT='kill $STORM 2>/dev/null; wait $STORM 2>/dev/null'
window storm
rc=$?
kill $STORM 2>/dev/null
wait $STORM 2>/dev/null
BENCH_ON_EXIT=
exit $rc
