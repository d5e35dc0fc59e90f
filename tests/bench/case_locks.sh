#!/bin/bash
# Locks overhead: throughput of a contention-heavy workload (threads of one
# process contending their mmap_lock with mmap/munmap, tests/workloads/
# lock_mmap.c) untraced, under ktop's Locks tab, under bpftrace on the same
# tracepoints and under perf lock record; perf lock contention -b and
# klockstat are tried too and reported when they cannot run. Interleaved.
#
# Knobs: LK_THREADS (workload threads, default 4), LK_SECS (seconds per
# sample), LK_SAMPLES (samples per attach), LK_ROUNDS; BENCH_QUICK=1 makes
# them small.
. "$(dirname "$0")/lib.sh"

T=${LK_THREADS:-4}
if [ "$BENCH_QUICK" = 1 ]; then
	D=${LK_SECS:-2} S=${LK_SAMPLES:-1} R=${LK_ROUNDS:-3}
else
	D=${LK_SECS:-5} S=${LK_SAMPLES:-1} R=${LK_ROUNDS:-7}	# ~4 min: run.sh allows 5
fi
LOAD=$WL/lock_mmap
# What ktop keeps, the bpftrace way: wait per lock as a histogram, wait per
# caller stack. (One-liner style: a nested contention overwrites the outer one.)
BT_PROG='tracepoint:lock:contention_begin { @start[tid] = nsecs; @lk[tid] = args->lock_addr; }
tracepoint:lock:contention_end /@start[tid]/ { $d = nsecs - @start[tid]; @wait[@lk[tid]] = hist($d);
  @caller[kstack(8)] = sum($d); delete(@start[tid]); delete(@lk[tid]); }'

for f in "$LOAD" "$KTOP"; do
	[ -x "$f" ] || { warn "missing $f (build with: make bench, or make O=DIR all DIR/workloads/lock_mmap)"; exit 1; }
done
if ! grep -q "'btf_trace_contention_begin'" <(bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null); then
	warn "kernel has no lock:contention_begin tracepoint: nothing to measure"
	result "lock_mmap throughput" "CANNOT RUN: kernel has no lock:contention_begin" "" n/a
	exit 0
fi
mount_tracefs

# One sample: the workload's mmap+munmap pairs per second.
load_samples() {
	local i ops
	for ((i = 0; i < S; i++)); do
		ops=$("$LOAD" "$T" "$D" | awk '/^ops / { print $2 }') || return 1
		[ -n "$ops" ] || { echo "lock_mmap printed no ops line" >&2; return 1; }
		calc "$ops / $D"
	done
}

# with_tracer NAME MIN_FDS CMD...: samples of the workload while CMD is attached.
with_tracer() {
	local name=$1 min=$2 pid rc=0
	shift 2
	tracer_start "$name" "$@"
	pid=$TRACER_PID
	if ! tracer_wait "$name" "$pid" "$min"; then
		tracer_stop "$pid"
		return 1
	fi
	load_samples || rc=1
	sleep 1.2			# ktop: the interval holding the end of the load
	if ! kill -0 "$pid" 2>/dev/null; then
		warn "$name died while the workload ran: $(tail -c 300 "$TMPD/$name.err")"
		rc=1
	fi
	tracer_stop "$pid"
	return $rc
}

measure_untraced() { load_samples; }
measure_ktop() {
	with_tracer ktop 2 "$KTOP" -b --json --panes locks -d 1 || return 1
	# it saw the load: the workload's mmap_lock in its rows
	grep -c '"kind":"mmap_lock","owner_pid":[0-9]*,"type":"rwsem:w"' "$TMPD/ktop.out" >> "$TMPD/seen_ktop"
	grep -o '"self_cpu_pct":[0-9.]*' "$TMPD/ktop.out" | cut -d: -f2 >> "$TMPD/ktop_cpu"
}
measure_bpftrace() {
	command -v bpftrace > /dev/null || { echo "bpftrace not installed (apt-get install bpftrace)" >&2; return 1; }
	with_tracer bpftrace 2 bpftrace -e "$BT_PROG" || return 1
	grep -q '^@wait\[' "$TMPD/bpftrace.out" || echo 0 >> "$TMPD/seen_bpftrace_missing"
}
measure_perf_record() {
	command -v perf > /dev/null || { echo "perf not installed (apt-get install linux-perf)" >&2; return 1; }
	with_tracer perf_record 2 perf lock record -a -o "$TMPD/perf.data" -- sleep 100000 || return 1
	ls -l "$TMPD/perf.data" 2>/dev/null | awk '{ print $5 }' >> "$TMPD/perf_bytes"
	rm -f "$TMPD/perf.data" "$TMPD/perf.data.old"
}
measure_perf_bpf() {
	command -v perf > /dev/null || { echo "perf not installed (apt-get install linux-perf)" >&2; return 1; }
	# Debian's perf is built without BUILD_BPF_SKEL: -b then only prints an error.
	if perf lock contention -b -a -- true > "$TMPD/perf_bpf_probe" 2>&1 &&
	   ! grep -q "not available" "$TMPD/perf_bpf_probe"; then
		with_tracer perf_bpf 2 perf lock contention -b -a -- sleep 100000
	else
		grep -m1 -iE 'error|not available' "$TMPD/perf_bpf_probe" >&2 ||
			tail -n 2 "$TMPD/perf_bpf_probe" >&2
		return 1
	fi
}
measure_klockstat() {
	command -v klockstat > /dev/null || { echo "klockstat not installed (apt-get install libbpf-tools)" >&2; return 1; }
	# needs fentry or kprobes on mutex_lock and friends
	with_tracer klockstat 2 klockstat
}

label() {
	case "$1" in
	ktop) echo "ktop --panes locks" ;;
	bpftrace) echo "bpftrace hist+stacks" ;;
	perf_record) echo "perf lock record -a" ;;
	perf_bpf) echo "perf lock contention -b" ;;
	klockstat) echo "klockstat" ;;
	*) echo "$1" ;;
	esac
}

CONDS=(untraced ktop bpftrace perf_record perf_bpf klockstat)
progs_before=$(prog_count)
say "locks: lock_mmap with $T threads, $D s per sample, $S sample(s) per attach, $R rounds;"
say "  conditions rotate each round; mmap+munmap pairs per second (higher is better):"
interleave "$R" "${CONDS[@]}"
wait_progs_at_most "$progs_before" ||
	warn "BPF programs: $progs_before before, $(prog_count) now (other users of this machine may load some too)"
say "  BPF programs loaded: $progs_before before, $(prog_count) after"

# Diagnostic, outside the timed rounds: ns per run of each BPF program,
# from the kernel's own counters (kernel.bpf_stats_enabled costs two clock
# reads per run, so compare these with each other only). A contention-heavy
# load's throughput moves with timing (slower waiters can mean fewer
# sleeps), so this is the direct cost figure.
per_run() {	# per_run NAME CMD...: "prog ns/run (runs)" for each program of CMD
	local name=$1 pid
	shift
	tracer_start "$name" "$@"
	pid=$TRACER_PID
	tracer_wait "$name" "$pid" 2 || { tracer_stop "$pid"; return 1; }
	bpf_stats_on
	"$LOAD" "$T" "$D" > /dev/null
	prog_stats "$pid" > "$TMPD/$name.stats"
	bpf_stats_off
	tracer_stop "$pid"
	awk '$3 > 0 { printf " %s %.0f ns (%d runs)", $1, $2 / $3, $3 }' "$TMPD/$name.stats"
}
if [ -w /proc/sys/kernel/bpf_stats_enabled ]; then
	say "  ns per BPF program run (kernel.bpf_stats_enabled, one workload run each):"
	for c in ktop bpftrace; do
		failed "$c" && continue
		case $c in
		ktop) line=$(per_run ktop_stats "$KTOP" -b --json --panes locks -d 1) ;;
		bpftrace) line=$(per_run bpftrace_stats bpftrace -e "$BT_PROG") ;;
		esac
		say "    $(label "$c"):$line"
		result "$(label "$c") ns/run" "${line# }"
	done
	# ktop's BPF time per contention (begin + end over the ends), the
	# median of LK_STAT_ROUNDS runs: one run swings by half on a shared
	# machine, mostly from the few runs that get preempted.
	for ((i = 0; i < ${LK_STAT_ROUNDS:-3}; i++)); do
		failed ktop && break
		per_run ktop_stats "$KTOP" -b --json --panes locks -d 1 > /dev/null
		awk '{ t += $2 } $1 ~ /contention_end|_kret$/ { n += $3 }
		     END { if (n > 0) printf "%.0f\n", t / n }' "$TMPD/ktop_stats.stats" >> "$TMPD/per_cont"
	done
	if [ -s "$TMPD/per_cont" ]; then
		# shellcheck disable=SC2046
		pc=$(median $(cat "$TMPD/per_cont"))
		say "    ktop BPF ns per contention: $pc (runs: $(tr '\n' ' ' < "$TMPD/per_cont"))"
		result "ktop BPF ns per contention" "$pc" "<= 600" "$(meets "$pc" '<=' 600)"
	fi
fi

say ""
printf '  %-26s %14s %14s\n' condition "ops/s (med)" "vs untraced"
declare -A REL
base=$(cond_median untraced)
for c in "${CONDS[@]}"; do
	if failed "$c" && [ ! -s "$TMPD/samples/$c" ]; then
		printf '  %-26s %s\n' "$(label "$c")" "CANNOT RUN: $(why_failed "$c")"
		continue
	fi
	m=$(cond_median "$c")
	if [ "$c" = untraced ]; then
		printf '  %-26s %14s %14s\n' "$(label "$c")" "$m" -
	else
		# per round (paired), then the median: drifts of the machine cancel
		REL[$c]=$(median $(paste -d ' ' "$TMPD/rounds/$c" "$TMPD/rounds/untraced" |
			awk '$1 != "-" && $2 != "-" && $2 > 0 { printf "%.3f\n", $1 / $2 }'))
		printf '  %-26s %14s %13sx\n' "$(label "$c")" "$m" "${REL[$c]}"
	fi
	failed "$c" && printf '  %-26s %s\n' "" "(failed in a later round: $(why_failed "$c"))"
done

result "lock_mmap ops/s untraced" "$base"
for c in ktop bpftrace perf_record perf_bpf klockstat; do
	if [ -n "${REL[$c]:-}" ]; then
		result "$(label "$c") throughput vs untraced" "${REL[$c]}x"
	else
		result "$(label "$c") throughput vs untraced" "CANNOT RUN: $(why_failed "$c" | cut -c 1-120)" "" n/a
	fi
done
if [ -n "${REL[ktop]:-}" ]; then
	r=$(calc "(1 - ${REL[ktop]}) * 100")
	result "ktop throughput loss %" "$r" "<= 5"  "$(meets "$r" '<=' 5)"
fi
if [ -n "${REL[ktop]:-}" ] && [ -n "${REL[bpftrace]:-}" ]; then
	result "ktop / bpftrace (throughput kept)" "$(ratio "${REL[ktop]}" "${REL[bpftrace]}")"
fi
if [ -s "$TMPD/ktop_cpu" ]; then
	# shellcheck disable=SC2046
	result "ktop own CPU % (median interval)" "$(median $(cat "$TMPD/ktop_cpu"))"
fi

# Sanity: each tracer saw the load (one that did not would look cheap).
if [ -s "$TMPD/seen_ktop" ]; then
	lo=$(sort -n "$TMPD/seen_ktop" | head -n 1)
	say "  ktop listed the workload's mmap_lock (rwsem:w) in at least $lo interval(s) per run"
	[ "$lo" -ge 1 ] || warn "a ktop run never listed the workload's mmap_lock: it may not have measured what we think"
fi
[ -e "$TMPD/seen_bpftrace_missing" ] && warn "bpftrace's report had no @wait histogram"
[ -s "$TMPD/perf_bytes" ] && say "  perf lock record wrote $(sort -n "$TMPD/perf_bytes" | tail -n 1) bytes per run at most"

reproduce "$LOAD $T $D   # untraced; then again while each of these runs:"
reproduce "$KTOP -b --json --panes locks -d 1 > /dev/null"
reproduce "bpftrace -e '$(echo "$BT_PROG" | tr '\n' ' ')'"
reproduce "perf lock record -a -o /tmp/perf.data -- sleep 1000"
reproduce "perf lock contention -b -a -- sleep 1000"
reproduce "klockstat"
exit 0
