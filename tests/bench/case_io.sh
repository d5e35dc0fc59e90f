#!/bin/bash
# I/O overhead: 4 KiB random O_DIRECT reads (fio, one job, queue depth 1) on
# a file of the real disk, IOPS untraced vs with ktop's I/O tab, libbpf-tools
# biolatency and a bpftrace equivalent, interleaved.
#
# Knobs: IO_DIR (where the test file goes; default /var/tmp, which should
# be on a real disk), IO_SECS (seconds per sample), IO_ROUNDS, IO_SIZE_MB;
# BENCH_QUICK=1 makes them small.
. "$(dirname "$0")/lib.sh"

if [ "$BENCH_QUICK" = 1 ]; then
	T=${IO_SECS:-2} R=${IO_ROUNDS:-3}
else
	T=${IO_SECS:-5} R=${IO_ROUNDS:-7}
fi
SIZE_MB=${IO_SIZE_MB:-256}
DIR=${IO_DIR:-/var/tmp}
# The same latency histogram bpftrace can build here without kprobes: issue
# to completion, keyed by device and sector (biolatency.bt needs kprobes).
BT_PROG='tracepoint:block:block_rq_issue { @start[args->dev, args->sector] = nsecs; }
tracepoint:block:block_rq_complete /@start[args->dev, args->sector]/ {
	@usecs = hist((nsecs - @start[args->dev, args->sector]) / 1000);
	delete(@start[args->dev, args->sector]); }'

[ -x "$KTOP" ] || { warn "missing $KTOP (build with: make bench)"; exit 1; }
command -v fio > /dev/null || { warn "fio not installed (apt-get install fio)"; exit 1; }
command -v jq > /dev/null || { warn "jq not installed (apt-get install jq)"; exit 1; }
mount_tracefs

FILE=$(mktemp "$DIR/ktop-bench-io.XXXXXX") || { warn "cannot create a file in $DIR"; exit 1; }
BENCH_ON_EXIT='rm -f "$FILE"'
DEV=$(findmnt -no SOURCE -T "$DIR" 2>/dev/null)
DISK=${DEV#/dev/}
[ -e "/sys/class/block/$DISK/partition" ] &&
	DISK=$(basename "$(readlink -f "/sys/class/block/$DISK/..")")
# lay the file out once, outside the measurements
if ! fio --name=prep --filename="$FILE" --size="${SIZE_MB}M" --rw=write --bs=1M --direct=1 \
	--output=/dev/null > "$TMPD/prep.err" 2>&1; then
	warn "fio cannot write $FILE: $(tail -c 300 "$TMPD/prep.err")"
	exit 1
fi

FIO=(fio --name=randread --filename="$FILE" --size="${SIZE_MB}M" --rw=randread --bs=4k
     --direct=1 --ioengine=psync --iodepth=1 --numjobs=1 --runtime="$T" --time_based
     --randrepeat=0 --output-format=json)

# One sample: IOPS of one fio run, pinned to the bench CPU.
fio_iops() {
	taskset -c "$BENCH_CPU" "${FIO[@]}" > "$TMPD/fio.json" 2> "$TMPD/fio.err" || {
		echo "fio failed: $(tail -c 300 "$TMPD/fio.err")" >&2
		return 1
	}
	jq -r '.jobs[0].read.iops | floor' "$TMPD/fio.json"
}

# with_tracer NAME MIN_FDS CMD...: one fio sample while CMD is attached.
# With WAIT_LINE=1, waits (at most 2.5 s) for ktop's next interval, which
# holds the end of the run.
with_tracer() {
	local name=$1 min=$2 pid rc=0 lines i
	shift 2
	tracer_start "$name" "$@"
	pid=$TRACER_PID
	if ! tracer_wait "$name" "$pid" "$min"; then
		tracer_stop "$pid"
		return 1
	fi
	fio_iops || rc=1
	if [ "${WAIT_LINE:-0}" = 1 ]; then
		lines=$(wc -l < "$TMPD/$name.out")
		for ((i = 0; i < 25; i++)); do
			[ "$(wc -l < "$TMPD/$name.out")" -gt "$lines" ] && break
			sleep 0.1
		done
	fi
	if ! kill -0 "$pid" 2>/dev/null; then
		warn "$name died while fio ran: $(tail -c 300 "$TMPD/$name.err")"
		rc=1
	fi
	tracer_stop "$pid"
	return $rc
}

measure_untraced() { fio_iops; }
measure_ktop() {
	WAIT_LINE=1 with_tracer ktop 5 "$KTOP" -b --json --panes io -d 1 || return 1
	# reads ktop counted on the disk, next to what fio did (a sanity check)
	printf '%s %s\n' \
		"$(jq -s "[.[].io.rows[]? | select(.disk == \"$DISK\" and .op == \"read\") | .count] | add // 0" "$TMPD/ktop.out")" \
		"$(jq -r '.jobs[0].read.total_ios' "$TMPD/fio.json")" >> "$TMPD/seen_ktop"
	jq -s '[.[].io.lost_events] | add // 0' "$TMPD/ktop.out" >> "$TMPD/lost_ktop"
}
measure_biolatency() {
	command -v biolatency > /dev/null || { echo "biolatency not installed (apt-get install libbpf-tools)" >&2; return 1; }
	with_tracer biolatency 2 biolatency || return 1
	grep -q '\*' "$TMPD/biolatency.out" || echo 0 >> "$TMPD/seen_biolatency_missing"
}
measure_bpftrace() {
	command -v bpftrace > /dev/null || { echo "bpftrace not installed (apt-get install bpftrace)" >&2; return 1; }
	with_tracer bpftrace 2 bpftrace -e "$BT_PROG" || return 1
	grep -q '^@usecs' "$TMPD/bpftrace.out" || echo 0 >> "$TMPD/seen_bpftrace_missing"
}

label() {
	case "$1" in
	ktop) echo "ktop --panes io" ;;
	biolatency) echo "biolatency (libbpf-tools)" ;;
	biolatency_qd) echo "biolatency -Q -D" ;;
	bpftrace) echo "bpftrace hist" ;;
	esac
}

CONDS=(untraced ktop biolatency bpftrace)
progs_before=$(prog_count)
say "io: fio 4 KiB random O_DIRECT reads, qd 1, ${T} s per sample, $R rounds, on $FILE"
say "  (disk $DISK, scheduler $(cat "/sys/block/$DISK/queue/scheduler" 2>/dev/null | grep -o '\[.*\]')),"
say "  pinned to CPU $BENCH_CPU (taskset); conditions rotate each round; IOPS:"
# The first samples after the file is written run up to 30% slow (the host's
# cache and the virtual disk settling), whatever is attached: untraced
# warm-up samples, not counted, keep that out of the rounds.
warm=""
for i in 1 2; do warm="$warm $(fio_iops)"; done
say "  warm-up (untraced, not counted):$warm"
interleave "$R" "${CONDS[@]}"
wait_progs_at_most "$progs_before" ||
	warn "BPF programs: $progs_before before, $(prog_count) now (other users of this machine may load some too)"
say "  BPF programs loaded: $progs_before before, $(prog_count) after"

# Diagnostic, outside the timed rounds: the BPF run time each tracer adds
# per request, from the kernel's own counters (kernel.bpf_stats_enabled:
# each run then also pays ~28 ns of measuring, so compare tracers with each
# other), and what that is of one request's time at the untraced median.
# The IOPS ratios swing by +-10% from sample to sample on a virtual disk;
# this figure does not.
per_request() {	# per_request NAME MIN_FDS CMD...: BPF ns per request of CMD's programs
	local name=$1 min=$2 pid reqs
	shift 2
	tracer_start "$name" "$@"
	pid=$TRACER_PID
	tracer_wait "$name" "$pid" "$min" || { tracer_stop "$pid"; return 1; }
	bpf_stats_on
	fio_iops > /dev/null
	prog_stats "$pid" > "$TMPD/$name.stats"
	bpf_stats_off
	tracer_stop "$pid"
	reqs=$(jq -r '.jobs[0].read.total_ios' "$TMPD/fio.json")
	awk -v r="$reqs" '{ t += $2 } END { if (r > 0) printf "%.0f\n", t / r }' "$TMPD/$name.stats"
}
# biolatency -Q -D is what ktop does (queue time included, per disk); the
# plain one is the figure of the earlier runs. Rounds rotate the tracers
# (IO_STAT_ROUNDS, default 3) and each figure is the median of its rounds:
# one sample swings by half on a shared machine.
STAT_CONDS=(ktop biolatency biolatency_qd bpftrace)
declare -A PERREQ
if [ -w /proc/sys/kernel/bpf_stats_enabled ]; then
	say "  BPF run time per request (kernel.bpf_stats_enabled, ${T} s samples, median of ${IO_STAT_ROUNDS:-3} rotations):"
	for ((round = 0; round < ${IO_STAT_ROUNDS:-3}; round++)); do
		for c in "${STAT_CONDS[@]}"; do
			case $c in
			ktop) v=$(per_request ktop_stats 5 "$KTOP" -b --json --panes io -d 1) ;;
			biolatency) failed biolatency || v=$(per_request bio_stats 2 biolatency) ;;
			biolatency_qd) failed biolatency || v=$(per_request bioqd_stats 2 biolatency -Q -D) ;;
			bpftrace) failed bpftrace || v=$(per_request bt_stats 2 bpftrace -e "$BT_PROG") ;;
			esac
			[ -n "$v" ] && echo "$v" >> "$TMPD/perreq_$c"
			v=""
		done
	done
	base=$(cond_median untraced)
	for c in "${STAT_CONDS[@]}"; do
		[ -s "$TMPD/perreq_$c" ] || continue
		# shellcheck disable=SC2046
		PERREQ[$c]=$(median $(cat "$TMPD/perreq_$c"))
		line="${PERREQ[$c]} ns per request (rounds: $(tr '\n' ' ' < "$TMPD/perreq_$c"))"
		[ -n "$base" ] && [ "${base%.*}" -gt 0 ] 2>/dev/null &&
			line="$line, $(calc "${PERREQ[$c]} / (1e9 / $base) * 100")% of one request"
		say "    $(label "$c"): $line"
		result "$(label "$c") BPF per request" "$line"
	done
	r=$(ratio "${PERREQ[ktop]:-}" "${PERREQ[biolatency_qd]:-}")
	result "ktop / biolatency -Q -D BPF ns per request" "$r" "<= 1.0x" "$(meets "${r%x}" '<=' 1.0)"
fi

say ""
printf '  %-28s %12s %14s  %s\n' condition "IOPS (med)" "vs untraced" "ratio per round"
declare -A RATIO
for c in "${CONDS[@]}"; do
	if failed "$c" && [ ! -s "$TMPD/samples/$c" ]; then
		printf '  %-28s %s\n' "$c" "CANNOT RUN: $(why_failed "$c")"
		continue
	fi
	m=$(cond_median "$c")
	if [ "$c" = untraced ]; then
		printf '  %-28s %12s %14s\n' "$c" "$m" -
	else
		# per round: traced / untraced of the same round, then the median
		# shellcheck disable=SC2046
		RATIO[$c]=$(median $(paste -d ' ' "$TMPD/rounds/$c" "$TMPD/rounds/untraced" |
			awk '$1 != "-" && $2 != "-" && $2 > 0 { printf "%.4f\n", $1 / $2 }'))
		printf '  %-28s %12s %14s  %s\n' "$(label "$c")" "$m" "${RATIO[$c]}x" \
			"$(paste -d ' ' "$TMPD/rounds/$c" "$TMPD/rounds/untraced" |
			   awk '$1 != "-" && $2 != "-" && $2 > 0 { printf "%.3f ", $1 / $2 }')"
	fi
	failed "$c" && printf '  %-28s %s\n' "" "(failed in a later round: $(why_failed "$c"))"
done

result "untraced IOPS (4K randread qd1)" "$(cond_median untraced)"
for c in ktop biolatency bpftrace; do
	if [ -n "${RATIO[$c]:-}" ]; then
		result "$(label "$c") IOPS" "$(cond_median "$c") ($(calc "(${RATIO[$c]} - 1) * 100")%)"
	else
		result "$(label "$c") IOPS" "CANNOT RUN: $(why_failed "$c" | cut -c 1-120)" "" n/a
	fi
done
r=${RATIO[ktop]:-}
result "ktop / untraced IOPS" "${r:+${r}x}" ">= 0.98x" "$(meets "${r:-n/a}" '>=' 0.98)"
result "biolatency / untraced IOPS" "${RATIO[biolatency]:+${RATIO[biolatency]}x}"
result "bpftrace / untraced IOPS" "${RATIO[bpftrace]:+${RATIO[bpftrace]}x}"
r=$(ratio "${RATIO[ktop]:-}" "${RATIO[biolatency]:-}")
result "ktop / biolatency IOPS" "$r" ">= 0.99x" "$(meets "$r" '>=' 0.99)"
r=$(ratio "${RATIO[ktop]:-}" "${RATIO[bpftrace]:-}")
result "ktop / bpftrace IOPS" "$r"

# Sanity: ktop counted fio's reads (others' reads on the disk add to it).
if [ -s "$TMPD/seen_ktop" ]; then
	say "  ktop counted / fio did, reads on $DISK per run:$(awk '{ printf " %s/%s", $1, $2 }' "$TMPD/seen_ktop")"
	awk '$1 < $2 { bad = 1 } END { exit !bad }' "$TMPD/seen_ktop" &&
		warn "ktop counted fewer reads than fio made in some run (see lost events: $(tr '\n' ' ' < "$TMPD/lost_ktop"))"
	say "  ktop lost events per run: $(tr '\n' ' ' < "$TMPD/lost_ktop")"
fi
[ -e "$TMPD/seen_biolatency_missing" ] && warn "biolatency printed no histogram"
[ -e "$TMPD/seen_bpftrace_missing" ] && warn "bpftrace printed no @usecs histogram"

reproduce "taskset -c $BENCH_CPU ${FIO[*]}   # untraced; then again while each of these runs:"
reproduce "$KTOP -b --json --panes io -d 1 > /dev/null"
reproduce "biolatency"
reproduce "biolatency -Q -D   # queue time and per disk, as ktop"
reproduce "bpftrace -e '$(echo "$BT_PROG" | tr '\n\t' '  ')'"
exit 0
