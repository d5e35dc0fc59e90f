#!/bin/bash
# Syscalls overhead: added ns per getppid() under ktop's Syscalls tab (default:
# sampled timing; and --exact), the empty-program floor, the clock floor (task
# storage + two clock reads + a per-CPU add: the least an exact per-call
# latency tracer does), libbpf-tools syscount -L and bpftrace, interleaved.
#
# bench-timeout: 720
# (8 conditions x 7 rounds x 2 samples take about 300 s, then the per-program figures)
#
# Knobs: SC_CALLS (calls per sample), SC_SAMPLES (samples per attach),
# SC_ROUNDS; BENCH_QUICK=1 makes all three small. SC_CLOCK=cpu (default)
# times the loop by its thread's CPU time, SC_CLOCK=wall by the wall clock
# (the figures before 2026-12: on a shared machine it counts the time other
# tasks held the CPU). SC_CONDS: the conditions (default "untraced floor
# clock ktop exact ktop_p syscount bpftrace"); ktop_tid
# (KTOP_FORCE_TID_HASH=1: start times in the thread-id hash, as before 5.12)
# and ktop_raw (KTOP_FORCE_RAW_TP=1) measure ktop's fallbacks in the same run.
. "$(dirname "$0")/lib.sh"

if [ "$BENCH_QUICK" = 1 ]; then
	N=${SC_CALLS:-1000000} S=${SC_SAMPLES:-1} R=${SC_ROUNDS:-3}
else
	N=${SC_CALLS:-2000000} S=${SC_SAMPLES:-2} R=${SC_ROUNDS:-7}
fi
LOOP=$WL/getppid_loop
SC_CLOCK=${SC_CLOCK:-cpu}
[ "$SC_CLOCK" = wall ] && SC_CLOCK=
BT_PROG='tracepoint:raw_syscalls:sys_enter { @start[tid] = nsecs; }
tracepoint:raw_syscalls:sys_exit /@start[tid]/ { @lat[args->id] = hist(nsecs - @start[tid]); delete(@start[tid]); }'

for f in "$LOOP" "$FLOOR" "$KTOP"; do
	[ -x "$f" ] || { warn "missing $f (build with: make bench, or make O=DIR all \$(WORKLOADS) DIR/bench/floor)"; exit 1; }
done
mount_tracefs
NR_GETPPID=$(printf '#include <sys/syscall.h>\nSYS_getppid\n' | cc -E -P - 2>/dev/null | tail -n 1)
case "$NR_GETPPID" in ''|*[!0-9]*) NR_GETPPID=110 ;; esac

# An idle process for "ktop -p": the in-kernel filter runs on every syscall
# but matches none of the workload's.
sleep 100000 &
IDLE_PID=$!
printf '%s %s %s\n' "$IDLE_PID" "$(awk '{ print $22 }' /proc/$IDLE_PID/stat)" sleep >> "$BENCH_PIDS"
BENCH_ON_EXIT='kill $IDLE_PID 2>/dev/null; wait $IDLE_PID 2>/dev/null'

loop_samples() {
	local i
	for ((i = 0; i < S; i++)); do
		taskset -c "$BENCH_CPU" "$LOOP" "$N" $SC_CLOCK || return 1
	done
}

# with_tracer NAME MIN_FDS CMD...: samples of the loop while CMD is attached.
# With WAIT_LINE=1, waits (at most 2.5 s) after the loop for one more line of
# output: ktop prints an interval only when it ends, and the check that it
# saw the calls needs the interval that holds them.
with_tracer() {
	local name=$1 min=$2 pid rc=0 lines i
	shift 2
	tracer_start "$name" "$@"
	pid=$TRACER_PID
	if ! tracer_wait "$name" "$pid" "$min"; then
		tracer_stop "$pid"
		return 1
	fi
	loop_samples || rc=1
	if [ "${WAIT_LINE:-0}" = 1 ]; then
		lines=$(wc -l < "$TMPD/$name.out")
		for ((i = 0; i < 25; i++)); do
			[ "$(wc -l < "$TMPD/$name.out")" -gt "$lines" ] && break
			sleep 0.1
		done
	fi
	if ! kill -0 "$pid" 2>/dev/null; then
		warn "$name died while the loop ran: $(tail -c 300 "$TMPD/$name.err")"
		rc=1
	fi
	tracer_stop "$pid"
	return $rc
}

# sum of getppid counts in ktop's JSON output of the last run
ktop_seen() {
	grep -o "\"name\":\"getppid\",\"nr\":$NR_GETPPID,\"count\":[0-9]*" "$TMPD/$1.out" |
		awk -F: '{ s += $NF } END { print s + 0 }'
}

measure_untraced() { loop_samples; }
measure_floor() { with_tracer floor 2 "$FLOOR"; }
measure_clock() { with_tracer clock 2 "$FLOOR" --clock; }
measure_ktop() {
	WAIT_LINE=1 with_tracer ktop 2 "$KTOP" -b --json --panes syscalls -d 1 || return 1
	ktop_seen ktop >> "$TMPD/seen_ktop"
}
measure_exact() {
	WAIT_LINE=1 with_tracer exact 2 "$KTOP" -b --json --panes syscalls -d 1 --exact || return 1
	ktop_seen exact >> "$TMPD/seen_exact"
}
# the fallbacks, forced: the tid hash of kernels without task storage, raw_tp
measure_ktop_tid() {
	WAIT_LINE=1 with_tracer ktop_tid 2 env KTOP_FORCE_TID_HASH=1 "$KTOP" -b --json --panes syscalls -d 1 || return 1
	ktop_seen ktop_tid >> "$TMPD/seen_ktop_tid"
}
measure_ktop_raw() {
	WAIT_LINE=1 with_tracer ktop_raw 2 env KTOP_FORCE_RAW_TP=1 "$KTOP" -b --json --panes syscalls -d 1 || return 1
	ktop_seen ktop_raw >> "$TMPD/seen_ktop_raw"
}
measure_ktop_p() {
	with_tracer ktop_p 2 "$KTOP" -b --json --panes syscalls -d 1 -p "$IDLE_PID" || return 1
	ktop_seen ktop_p >> "$TMPD/seen_ktop_p"
}
measure_syscount() {
	command -v syscount > /dev/null || { echo "syscount not installed (apt-get install libbpf-tools)" >&2; return 1; }
	with_tracer syscount 2 syscount -L || return 1
	grep -q getppid "$TMPD/syscount.out" || echo 0 >> "$TMPD/seen_syscount_missing"
}
measure_bpftrace() {
	command -v bpftrace > /dev/null || { echo "bpftrace not installed (apt-get install bpftrace)" >&2; return 1; }
	with_tracer bpftrace 2 bpftrace -e "$BT_PROG" || return 1
	grep -q "^@lat\[$NR_GETPPID\]" "$TMPD/bpftrace.out" || echo 0 >> "$TMPD/seen_bpftrace_missing"
}

label() {
	case "$1" in
	floor) echo "floor (empty progs)" ;;
	clock) echo "clock floor" ;;
	ktop) echo "ktop --panes syscalls" ;;
	exact) echo "ktop --exact" ;;
	ktop_p) echo "ktop -p <other pid>" ;;
	ktop_tid) echo "ktop tid hash" ;;
	ktop_raw) echo "ktop raw_tp" ;;
	syscount) echo "syscount -L" ;;
	bpftrace) echo "bpftrace hist" ;;
	esac
}

read -r -a CONDS <<< "${SC_CONDS:-untraced floor clock ktop exact ktop_p syscount bpftrace}"
has_cond() { [[ " ${CONDS[*]} " == *" $1 "* ]]; }
progs_before=$(prog_count)
say "syscalls: getppid() loop, $N calls per sample, $S sample(s) per attach, $R rounds,"
say "  pinned to CPU $BENCH_CPU (taskset); conditions rotate each round; ns per call"
if [ -n "$SC_CLOCK" ]; then clock_desc="the loop thread's CPU time"; else clock_desc="wall clock"; fi
say "  ($clock_desc):"
interleave "$R" "${CONDS[@]}"
wait_progs_at_most "$progs_before" ||
	warn "BPF programs: $progs_before before, $(prog_count) now (other users of this machine may load some too)"
say "  BPF programs loaded: $progs_before before, $(prog_count) after"

# Diagnostic, outside the timed rounds: the kernel's own count of ns per
# program run (kernel.bpf_stats_enabled adds two clock reads per run, so
# these are not comparable with the figures above, only with each other).
per_run() {	# per_run NAME MIN_FDS CMD...
	local name=$1 min=$2 pid
	shift 2
	tracer_start "$name" "$@"
	pid=$TRACER_PID
	tracer_wait "$name" "$pid" "$min" || { tracer_stop "$pid"; return 1; }
	bpf_stats_on
	taskset -c "$BENCH_CPU" "$LOOP" "$N" $SC_CLOCK > /dev/null
	prog_stats "$pid" > "$TMPD/$name.stats"
	bpf_stats_off
	tracer_stop "$pid"
	awk '$3 > 0 { printf " %s %.0f ns", $1, $2 / $3 }' "$TMPD/$name.stats"
}
if [ -w /proc/sys/kernel/bpf_stats_enabled ]; then
	say "  ns per BPF program run (kernel.bpf_stats_enabled, one loop each):"
	for c in "${CONDS[@]}"; do
		[ "$c" = untraced ] || failed "$c" && continue
		case $c in
		floor) line=$(per_run floor_stats 2 "$FLOOR") ;;
		clock) line=$(per_run clock_stats 2 "$FLOOR" --clock) ;;
		ktop) line=$(per_run ktop_stats 2 "$KTOP" -b --json --panes syscalls -d 1) ;;
		exact) line=$(per_run exact_stats 2 "$KTOP" -b --json --panes syscalls -d 1 --exact) ;;
		ktop_p) line=$(per_run ktop_p_stats 2 "$KTOP" -b --json --panes syscalls -d 1 -p "$IDLE_PID") ;;
		ktop_tid) line=$(per_run ktop_tid_stats 2 env KTOP_FORCE_TID_HASH=1 "$KTOP" -b --json --panes syscalls -d 1) ;;
		ktop_raw) line=$(per_run ktop_raw_stats 2 env KTOP_FORCE_RAW_TP=1 "$KTOP" -b --json --panes syscalls -d 1) ;;
		syscount) line=$(per_run syscount_stats 2 syscount -L) ;;
		bpftrace) line=$(per_run bpftrace_stats 2 bpftrace -e "$BT_PROG") ;;
		esac
		say "    $(label "$c"):$line"
		result "$(label "$c") ns/run" "${line# }"
	done
fi

say ""
printf '  %-22s %14s %16s  %s\n' condition "ns/call (med)" "added ns (med)" "added, per round"
declare -A ADDED
for c in "${CONDS[@]}"; do
	if failed "$c" && [ ! -s "$TMPD/samples/$c" ]; then
		printf '  %-22s %s\n' "$c" "CANNOT RUN: $(why_failed "$c")"
		continue
	fi
	m=$(cond_median "$c")
	if [ "$c" = untraced ]; then
		printf '  %-22s %14s %16s\n' "$c" "$m" -
	else
		ADDED[$c]=$(added_median "$c" untraced)
		printf '  %-22s %14s %16s  %s\n' "$c" "$m" "${ADDED[$c]}" "$(added_range "$c" untraced)"
	fi
	failed "$c" && printf '  %-22s %s\n' "" "(failed in a later round: $(why_failed "$c"))"
done

result "untraced ns/getppid" "$(cond_median untraced)"
for c in "${CONDS[@]}"; do
	[ "$c" = untraced ] && continue
	if [ -n "${ADDED[$c]:-}" ]; then
		result "$(label "$c") added ns" "${ADDED[$c]}"
	else
		result "$(label "$c") added ns" "CANNOT RUN: $(why_failed "$c" | cut -c 1-120)" "" n/a
	fi
done
# every condition against both floors: the empty one (the tracepoints'
# own cost) and the clock one (an exact per-call latency tracer's least)
for c in ktop exact ktop_p ktop_tid ktop_raw syscount bpftrace; do
	has_cond "$c" || continue
	has_cond floor && result "$(label "$c") / floor (added)" "$(ratio "${ADDED[$c]:-}" "${ADDED[floor]:-}")"
	has_cond clock || continue
	r=$(ratio "${ADDED[$c]:-}" "${ADDED[clock]:-}")
	if [ "$c" = exact ]; then
		result "$(label "$c") / clock floor (added)" "$r" "<= 1.3x" "$(meets "$r" '<=' 1.3)"
	else
		result "$(label "$c") / clock floor (added)" "$r"
	fi
done
r=$(ratio "${ADDED[syscount]:-}" "${ADDED[ktop]:-}")
has_cond syscount && result "syscount -L / ktop (added)" "$r" ">= 2x" "$(meets "$r" '>=' 2)"
r=$(ratio "${ADDED[bpftrace]:-}" "${ADDED[ktop]:-}")
has_cond bpftrace && result "bpftrace / ktop (added)" "$r" ">= 2.5x" "$(meets "$r" '>=' 2.5)"
r=$(ratio "${ADDED[syscount]:-}" "${ADDED[exact]:-}")
has_cond syscount && has_cond exact && result "syscount -L / ktop --exact (added)" "$r"
has_cond ktop_tid && result "tid hash / ktop (added)" "$(ratio "${ADDED[ktop_tid]:-}" "${ADDED[ktop]:-}")"
has_cond ktop_raw && result "raw_tp / ktop (added)" "$(ratio "${ADDED[ktop_raw]:-}" "${ADDED[ktop]:-}")"

# Sanity: every tracer saw the workload (a tracer that did not attach
# where we think would make its cost look low).
if [ -s "$TMPD/seen_ktop" ]; then
	lo=$(sort -n "$TMPD/seen_ktop" | head -n 1)
	say "  ktop saw $lo to $(sort -n "$TMPD/seen_ktop" | tail -n 1) getppid calls per run (the loop made $((N * S)) each)"
	[ "$lo" -ge "$N" ] || warn "ktop reported fewer getppid calls than one sample made: it may not have measured what we think"
fi
if [ -s "$TMPD/seen_exact" ]; then
	lo=$(sort -n "$TMPD/seen_exact" | head -n 1)
	[ "$lo" -ge "$N" ] || warn "ktop --exact reported fewer getppid calls than one sample made"
fi
for c in ktop_tid ktop_raw; do
	[ -s "$TMPD/seen_$c" ] && say "  $(label $c) saw $(sort -n "$TMPD/seen_$c" | head -n 1) to $(sort -n "$TMPD/seen_$c" | tail -n 1) getppid calls per run"
done
[ -s "$TMPD/seen_ktop_p" ] && say "  ktop -p saw at most $(sort -n "$TMPD/seen_ktop_p" | tail -n 1) getppid calls of the filtered-out loop (expected 0)"
[ -e "$TMPD/seen_syscount_missing" ] && warn "syscount's report did not list getppid"
[ -e "$TMPD/seen_bpftrace_missing" ] && warn "bpftrace's report had no @lat[$NR_GETPPID] histogram"

reproduce "taskset -c $BENCH_CPU $LOOP $N $SC_CLOCK   # untraced; then again while each of these runs:"
reproduce "$FLOOR"
reproduce "$FLOOR --clock"
reproduce "$KTOP -b --json --panes syscalls -d 1 > /dev/null"
reproduce "$KTOP -b --json --panes syscalls -d 1 --exact > /dev/null"
reproduce "syscount -L"
reproduce "bpftrace -e '$(echo "$BT_PROG" | tr '\n' ' ')'"
exit 0
