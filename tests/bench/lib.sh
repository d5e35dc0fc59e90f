# shellcheck shell=bash
# Shared helpers for benchmark cases (sourced by tests/bench/case_*.sh).
#
# A case measures conditions interleaved in rounds (A B C, B C A, ... so no
# condition always runs first or last), takes medians, and reports rows with
# `result`, which tests/bench/run.sh gathers into one summary table. Every
# tracer a case starts goes through tracer_start/tracer_stop, so the EXIT
# trap (and run.sh, if the case dies) can stop it: no BPF program outlives
# the bench.
#
# Environment: KTOP (default ./ktop), WL (workload binaries, default
# build/workloads), BENCH_O (build dir of the floor, default: build, or the
# directory of $KTOP when that is not .), BENCH_QUICK=1 (short trial),
# BENCH_CPU (CPU the measured workload is pinned to, default the last one),
# BENCH_RESULTS / BENCH_PIDS (set by run.sh; a case run alone makes its own).
set -u

KTOP=${KTOP:-./ktop}
case "$KTOP" in */*) ;; *) KTOP=./$KTOP ;; esac	# never a $PATH lookup
if [ -z "${BENCH_O:-}" ]; then
	case "$(dirname "$KTOP")" in
	.) BENCH_O=build ;;
	*) BENCH_O=$(dirname "$KTOP") ;;
	esac
fi
WL=${WL:-$BENCH_O/workloads}
FLOOR=${FLOOR:-$BENCH_O/bench/floor}
BENCH_QUICK=${BENCH_QUICK:-0}
BENCH_CPU=${BENCH_CPU:-$(($(nproc) - 1))}
BENCH_CASE=${BENCH_CASE:-$(basename "$0" .sh)}
BENCH_CASE=${BENCH_CASE#case_}

TMPD=$(mktemp -d /tmp/ktop-bench.XXXXXX)
BENCH_STANDALONE=0
if [ -z "${BENCH_RESULTS:-}" ]; then	# run alone, not from run.sh
	BENCH_STANDALONE=1
	BENCH_RESULTS=$TMPD/results.tsv
	BENCH_PIDS=$TMPD/pids
fi
: >> "$BENCH_RESULTS"
: >> "${BENCH_PIDS:=$TMPD/pids}"
TRACERS=""			# "name:pid ..." started and not yet stopped

say() { printf '%s\n' "$*"; }
warn() { printf '%s: %s\n' "$BENCH_CASE" "$*" >&2; }

# ---- numbers ---------------------------------------------------------------

# median NUMBER...: prints the median (mean of the middle two for an even
# count), or nothing when given no numbers.
median() {
	[ $# -gt 0 ] || return 0
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
		END { if (NR % 2) printf "%.2f\n", v[(NR + 1) / 2];
		      else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# calc EXPR: floating-point arithmetic with two decimals (awk syntax).
calc() { awk "BEGIN { printf \"%.2f\n\", $1 }"; }

# ratio A B: A/B as "1.23x", or "n/a" when either is missing or B <= 0.
ratio() {
	if [ -z "${1:-}" ] || [ -z "${2:-}" ]; then
		echo n/a
		return
	fi
	awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "n/a"; else printf "%.2fx\n", a / b }'
}

# meets VALUE OP TARGET: prints "ok" or "MISS" (OP is <= or >=); "n/a" for
# a missing value. A trailing "x" on the numbers is ignored.
meets() {
	local v=${1%x} t=${3%x}
	case "$v" in ''|n/a) echo n/a; return ;; esac
	if awk -v v="$v" -v t="$t" -v op="$2" \
	    'BEGIN { exit !((op == "<=" && v <= t) || (op == ">=" && v >= t)) }'; then
		echo ok
	else
		echo MISS
	fi
}

# result METRIC VALUE [TARGET [VERDICT]]: one row of the summary table.
result() {
	printf '%s\t%s\t%s\t%s\t%s\n' "$BENCH_CASE" "$1" "$2" "${3:-}" "${4:-}" >> "$BENCH_RESULTS"
}

# reproduce CMD: prints a command a reader can paste to measure by hand.
reproduce() {
	say "  reproduce: $*"
	printf '%s\treproduce\t%s\t\t\n' "$BENCH_CASE" "$*" >> "$BENCH_RESULTS"
}

# ---- the system -------------------------------------------------------------

mount_tracefs() {
	[ -d /sys/kernel/tracing/events ] && return 0
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null ||
		warn "cannot mount tracefs at /sys/kernel/tracing (bpftrace tracepoints need it)"
}

# Number of BPF programs loaded in the system.
prog_count() { bpftool prog show 2>/dev/null | grep -c '^[0-9]*:'; }

# CPU time of a process and all its threads, in ns (schedstat: exact, not ticks).
cpu_ns() {
	local pid=$1 f sum=0 v
	for f in /proc/"$pid"/task/*/schedstat; do
		read -r v _ < "$f" 2>/dev/null || continue
		sum=$((sum + v))
	done
	echo "$sum"
}

# Resident set size of a process in KiB ("" if gone).
rss_kb() { awk '/^VmRSS:/ { print $2 }' /proc/"$1"/status 2>/dev/null; }

now_ns() { date +%s%N; }

# bpf_stats_on / bpf_stats_off: kernel.bpf_stats_enabled on for a
# measurement, then back to what it was when the case began (the exit trap
# restores it too, so a case needs no exit hook of its own for it).
BPF_STATS_OLD=$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || echo 0)
bpf_stats_on() { echo 1 > /proc/sys/kernel/bpf_stats_enabled 2>/dev/null; }
bpf_stats_off() { echo "$BPF_STATS_OLD" > /proc/sys/kernel/bpf_stats_enabled 2>/dev/null; }

# prog_stats PID: one line per BPF program PID holds: "name run_time_ns
# run_cnt" (the counts grow only while kernel.bpf_stats_enabled is 1).
prog_stats() {
	local f id
	for f in /proc/"$1"/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = anon_inode:bpf-prog ] || continue
		id=$(awk '/^prog_id:/ { print $2 }' /proc/"$1"/fdinfo/"${f##*/}" 2>/dev/null)
		[ -n "$id" ] || continue
		printf '%s %s\n' "$(bpftool prog show id "$id" 2>/dev/null |
			awk '{ for (i = 1; i < NF; i++) if ($i == "name") { print $(i + 1); exit } }')" \
			"$(awk '/^run_time_ns:/ { t = $2 } /^run_cnt:/ { c = $2 } END { print t + 0, c + 0 }' \
				/proc/"$1"/fdinfo/"${f##*/}" 2>/dev/null)"
	done
}

# ---- tracers ----------------------------------------------------------------

# Attachment handles a process holds: BPF links and perf events (classic
# tracepoints are attached through a perf event fd).
attach_fds() {
	find /proc/"$1"/fd -maxdepth 1 -lname 'anon_inode:*' -printf '%l\n' 2>/dev/null |
		grep -cE 'bpf_link|perf_event'
}

# tracer_start NAME CMD...: starts CMD in the background, output in
# $TMPD/NAME.out and $TMPD/NAME.err; sets TRACER_PID.
tracer_start() {
	local name=$1
	shift
	"$@" > "$TMPD/$name.out" 2> "$TMPD/$name.err" &
	TRACER_PID=$!
	TRACERS="$TRACERS $name:$TRACER_PID"
	# run.sh sweeps these if the case itself dies: pid, start time (so a
	# reused pid is never killed), command
	printf '%s %s %s\n' "$TRACER_PID" "$(awk '{ print $22 }' /proc/$TRACER_PID/stat 2>/dev/null)" \
		"$*" >> "$BENCH_PIDS"
}

# tracer_wait NAME PID MIN_FDS [TIMEOUT_S]: waits until PID holds at least
# MIN_FDS attachment fds and their number held still for 0.3 s. Returns 1,
# with the tracer's error output on stderr, if it exits or times out.
tracer_wait() {
	local name=$1 pid=$2 min=$3 t=${4:-30} n last=-1 same=0 i
	for ((i = 0; i < t * 10; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null
			warn "$name exited before attaching (status $?): $(tail -c 400 "$TMPD/$name.err" | tr '\n' ' ')"
			return 1
		fi
		n=$(attach_fds "$pid")
		if [ "$n" -ge "$min" ] && [ "$n" = "$last" ]; then
			same=$((same + 1))
			[ "$same" -ge 3 ] && return 0
		else
			same=0
		fi
		last=$n
		sleep 0.1
	done
	warn "$name did not attach within ${t}s ($n of $min handles): $(tail -c 400 "$TMPD/$name.err" | tr '\n' ' ')"
	return 1
}

# tracer_stop PID: SIGINT (tracers print their report and detach), then
# SIGTERM after 5 s, SIGKILL after 10 s; reaps it. Returns its exit status.
tracer_stop() {
	local pid=$1 i rc
	kill -INT "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		[ "$i" = 50 ] && kill -TERM "$pid" 2>/dev/null
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	TRACERS=$(printf '%s\n' $TRACERS | grep -v ":$pid\$" | tr '\n' ' ')
	return "$rc"
}

# Waits (up to 5 s) for the BPF program count to drop back to at most N:
# the kernel frees programs shortly after their last fd is closed.
wait_progs_at_most() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(prog_count)" -le "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# sweep_pids FILE: stops every process listed by tracer_start in FILE that
# is still running (same pid and start time). Used by the EXIT trap and by
# run.sh after a case that died or timed out.
sweep_pids() {
	local pid st cmd
	[ -s "$1" ] || return 0
	while read -r pid st cmd; do
		[ -n "$pid" ] && [ -e /proc/"$pid" ] || continue
		[ "$(awk '{ print $22 }' /proc/"$pid"/stat 2>/dev/null)" = "$st" ] || continue
		echo "bench: stopping leftover $cmd (pid $pid)" >&2
		kill -INT "$pid" 2>/dev/null
		sleep 1
		[ "$(awk '{ print $22 }' /proc/"$pid"/stat 2>/dev/null)" = "$st" ] &&
			kill -KILL "$pid" 2>/dev/null
	done < "$1"
}

# print_results FILE: the rows of FILE (not the reproduce lines) as a table.
print_results() {
	{
		printf 'CASE\tMETRIC\tVALUE\tTARGET\tVERDICT\n'
		grep -v "	reproduce	" "$1"
	} | awk -F'\t' '{ printf "  %-10s %-44s %-34s %-20s %s\n", $1, $2, $3, $4, $5 }'
}

bench_cleanup() {
	local t
	for t in $TRACERS; do
		tracer_stop "${t#*:}"
	done
	[ -n "${BENCH_ON_EXIT:-}" ] && eval "$BENCH_ON_EXIT"
	bpf_stats_off
	sweep_pids "$BENCH_PIDS"
	if [ "$BENCH_STANDALONE" = 1 ] && [ -s "$BENCH_RESULTS" ]; then
		say ""
		print_results "$BENCH_RESULTS"
	fi
	rm -rf "$TMPD"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# ---- interleaving -----------------------------------------------------------

# interleave ROUNDS COND...: calls measure_COND for every condition in every
# round, rotating the order (A B C, B C A, C A B, ...). measure_COND prints
# one number per sample (any count) and returns 0, or returns non-zero after
# explaining why on stderr (it runs in this shell, so tracer_start inside it
# is seen by the EXIT trap); a condition that fails is recorded in
# $TMPD/failed/COND and not tried again. Samples land in $TMPD/samples/COND,
# each round's median in $TMPD/rounds/COND (one line per round, "-" when the
# condition had no sample that round).
interleave() {
	local rounds=$1 r i n c out rc other
	shift
	local conds=("$@")
	n=${#conds[@]}
	mkdir -p "$TMPD/samples" "$TMPD/rounds" "$TMPD/failed"
	for c in "${conds[@]}"; do
		: > "$TMPD/samples/$c"
		: > "$TMPD/rounds/$c"
	done
	for ((r = 0; r < rounds; r++)); do
		# Programs loaded while none of ours run belong to others: on a
		# shared machine they add to every condition, "untraced" included.
		other=$(prog_count)
		printf '  round %d/%d%s:' $((r + 1)) "$rounds" \
			"$([ "$other" -gt 0 ] && echo " ($other BPF programs of others loaded)")"
		for ((i = 0; i < n; i++)); do
			c=${conds[$(((i + r) % n))]}
			if [ -e "$TMPD/failed/$c" ]; then
				echo - >> "$TMPD/rounds/$c"
				continue
			fi
			# not in a subshell: tracers it starts stay known to the EXIT trap
			"measure_$c" > "$TMPD/cur" 2> "$TMPD/failed/$c.tmp"
			rc=$?
			out=$(cat "$TMPD/cur")
			if [ "$rc" = 0 ] && [ -n "$out" ]; then
				printf '%s\n' $out >> "$TMPD/samples/$c"
				# shellcheck disable=SC2086
				median $out >> "$TMPD/rounds/$c"
				printf ' %s=%s' "$c" "$(median $out)"
			else
				{ cat "$TMPD/failed/$c.tmp"; [ -n "$out" ] || echo "(no sample)"; } \
					> "$TMPD/failed/$c"
				echo - >> "$TMPD/rounds/$c"
				printf ' %s=FAILED' "$c"
			fi
			rm -f "$TMPD/failed/$c.tmp"
		done
		echo
	done
}

# failed COND: true when the condition could not be measured.
failed() { [ -e "$TMPD/failed/$1" ]; }
# why_failed COND: its error output, on one line.
why_failed() { tr '\n' ' ' < "$TMPD/failed/$1" | cut -c 1-300; }

# cond_median COND: median of every sample of COND.
cond_median() {
	# shellcheck disable=SC2046
	median $(cat "$TMPD/samples/$1")
}

# added_median COND BASE: median over rounds of (COND - BASE) of the same
# round. Pairing within a round cancels slow drifts of the machine's load.
added_median() {
	# shellcheck disable=SC2046
	median $(paste -d ' ' "$TMPD/rounds/$1" "$TMPD/rounds/$2" |
		awk '$1 != "-" && $2 != "-" { printf "%.2f\n", $1 - $2 }')
}

# added_range COND BASE: "min..max" of the per-round (COND - BASE): how much
# the rounds agree. A wide range means a noisy machine, not a precise median.
added_range() {
	paste -d ' ' "$TMPD/rounds/$1" "$TMPD/rounds/$2" |
		awk '$1 != "-" && $2 != "-" { d = $1 - $2; if (n++ == 0 || d < lo) lo = d; if (n == 1 || d > hi) hi = d }
		     END { if (n) printf "%.0f..%.0f\n", lo, hi }'
}
