#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Soak: ktop with every tab (-b --json -d 1) for a given time under a mixed
# workload this script starts and stops itself; samples ktop's RSS, open fds
# and the occupancy of its BPF hash maps, then prints start vs end and asserts
# that nothing grows and that the refresh keeps its period.
#
# Usage: tests/soak/run.sh [SECONDS]     (default $SOAK_SECONDS, else 3600)
# Environment:
#   KTOP          binary to soak (default ./ktop)
#   WL            built workloads (default build/workloads): thread_storm,
#                 io_direct, lock_mmap, mem_loop
#   SOAK_DIR      keep the JSON lines, samples and logs here (default: a
#                 temporary directory, removed at the end unless SOAK_KEEP=1)
#   SOAK_SAMPLE   seconds between samples (default 5)
#   SOAK_RSS_KB   allowed RSS growth over the second half of the run (5120)
#   SOAK_REPORT   a SOAK_DIR of an earlier run: print its figures and checks again
# Needs root, jq, bpftool and cc with libbpf (for tests/soak/mapcount.c).
#
# Workload (each a loop that stops by itself at the deadline; the binaries all
# have their own time limits, so nothing outlives the run by more than a few s):
#   syscalls     thread_storm storm 2 2, every 10 s (2 threads of getppid flat out)
#   I/O          io_direct on a 64 MiB file in /tmp (O_DIRECT, 4 KiB, paced)
#   contention   lock_mmap 2 3, every 10 s (mmap_lock, rwsem write side)
#   allocation   mem_loop kernel 2, every 10 s (pipe()+close(): slab churn)
#   processes    20 short-lived /bin/true a second, and 500 short-lived
#                threads (thread_storm threads 500) every 10 s
#
# Warm-up is the first minute (or the first half of a shorter run): ktop's
# buffers reach their working size then. "start" figures are taken at the end
# of it, "end" figures 12 s after the workload stopped (one aging sweep of
# ktop's per-process tables later); the very first sample (t0, right after the
# first interval was written) is shown too. The time after warm-up is cut in
# two halves: a map's peak in the second half is compared with its peak in the
# first (occupancy saw-tooths between sweeps, so single samples say little).
#
# Checks (each prints ok/FAIL; the script exits 1 when any fails):
#   RSS growth over the second half after warm-up < SOAK_RSS_KB: ktop's
#   buffers are sized to what it reads from maps, so RSS climbs in steps to a
#   high-water mark during the first minutes (the table shows start -> end);
#   a leak keeps climbing. Not for an ASan build: its quarantine holds freed
#   memory (LSan checks leaks at exit there). Open fds end == start;
#   every reported interval_ns < 2 x the configured 1 s; ktop wrote at least
#   90% of the intervals it should have; for each hash map, the second-half
#   peak and the end are at most max(2 x first-half peak, first-half peak +
#   1024) (a map at capacity is bounded by design, and ktop counts what it then
#   loses); ktop exits 0 on SIGTERM and leaves none of its BPF programs behind.
#   Maps keyed by process follow how many short-lived processes a sweep finds
#   (other users' too), so the map check catches a runaway, not slow growth in
#   a short run: tests/integ/test_bounded.sh checks the aging exactly.
# Prints "soak: N passed, N failed".
if [ -n "${SOAK_REPORT:-}" ]; then		# figures of an earlier run
	D=$(readlink -f "$SOAK_REPORT")
	. "$D/meta" || exit 1			# SECS KTOP T_STOP RC LEFT NPROGS
	cd "$(dirname "$0")/../.." || exit 1
	DELAY=1 RSS_KB=${SOAK_RSS_KB:-5120}
	pass=0 fail=0
	WARM=$(( SECS / 2 < 60 ? SECS / 2 : 60 ))
	echo "soak: figures of the run in $D"
else
KTOP=$(readlink -f "${KTOP:-./ktop}")		# relative to where we were started
WL=$(readlink -f "${WL:-build/workloads}")
cd "$(dirname "$0")/../.." || exit 1
ok() { pass=$((pass + 1)); echo "  ok: $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL: $*"; }
now() { date +%s.%N; }
SECS=${1:-${SOAK_SECONDS:-3600}}
SAMPLE=${SOAK_SAMPLE:-5}
DRAIN=12				# > one aging sweep of ktop (every 10 polls)
RSS_KB=${SOAK_RSS_KB:-5120}
DELAY=1

[ "$(id -u)" = 0 ] || { echo "SKIP: soak needs root to load BPF programs"; exit 77; }
for c in jq bpftool awk; do
	command -v $c >/dev/null || { echo "SKIP: soak needs $c"; exit 77; }
done
for w in thread_storm io_direct lock_mmap mem_loop; do
	[ -x "$WL/$w" ] || { echo "soak: no workload $WL/$w (build it: make \$(O)/workloads/$w)"; exit 1; }
done
[ -x "$KTOP" ] || { echo "soak: no ktop binary at $KTOP"; exit 1; }
case $SECS in ''|*[!0-9]*) echo "usage: tests/soak/run.sh [SECONDS]" >&2; exit 2;; esac
[ "$SECS" -ge 20 ] || { echo "soak: needs at least 20 s" >&2; exit 2; }

if [ -n "${SOAK_DIR:-}" ]; then
	D=$SOAK_DIR; mkdir -p "$D"
else
	D=$(mktemp -d /tmp/ktop-soak.XXXXXX)
fi
IOFILE=$(mktemp /tmp/ktop-soak-io.XXXXXX)
KP="" LOOPS=""
cleanup() {
	touch "$D/stop"
	[ -n "$KP" ] && kill "$KP" 2>/dev/null
	for p in $LOOPS; do kill "$p" 2>/dev/null; done
	rm -f "$IOFILE"
	[ -z "${SOAK_DIR:-}" ] && [ "${SOAK_KEEP:-0}" != 1 ] && rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -f "$D/stop" "$D/samples" "$D/maps" "$D/ktop.json" "$D/ktop.err" "$D/workload.log" "$D/lines.tsv" "$D/meta"
# entries of BPF hash maps by id (bpftool map dump is slow and double-counts on maps that churn)
cc -O2 -Wall -o "$D/mapcount" tests/soak/mapcount.c $(pkg-config --cflags --libs libbpf 2>/dev/null || echo -lbpf) ||
	{ echo "soak: cannot build tests/soak/mapcount.c"; exit 1; }

pass=0 fail=0

# ---- ktop ----------------------------------------------------------------
WARM=$(( SECS / 2 < 60 ? SECS / 2 : 60 ))
echo "soak: $SECS s of $KTOP -b --json -d $DELAY (all tabs), warm-up $WARM s, sample every $SAMPLE s, in $D"
# -n: stops by itself a minute after the run should have ended, should this
# script be killed before it could stop it
"$KTOP" -b --json -d $DELAY -n $((SECS + DRAIN + 60)) -o "$D/ktop.json" 2> "$D/ktop.err" &
KP=$!
T0=$(now)
# every collector has loaded and attached once the first interval is written
for i in $(seq 1 300); do
	[ -s "$D/ktop.json" ] && break
	kill -0 $KP 2>/dev/null || break
	sleep 0.05
done
if [ ! -s "$D/ktop.json" ]; then
	echo "soak: ktop did not start"; cat "$D/ktop.err"; echo "soak: 0 passed, 1 failed"; exit 1
fi
# ktop's hash maps: "id name max_entries", one a line
for id in $(grep -h '^map_id:' /proc/$KP/fdinfo/* | awk '{print $2}' | sort -un); do
	bpftool map show id "$id" 2>/dev/null | awk -v id="$id" 'NR == 1 && $2 ~ /hash$/ { n = $4 }
		/max_entries/ { for (i = 1; i < NF; i++) if ($i == "max_entries") m = $(i + 1) }
		END { if (n != "") print id, n, m }'
done > "$D/maps"
DEADLINE=$(awk -v t="$T0" -v s="$SECS" 'BEGIN { printf "%.0f", t + s }')

# ---- workload --------------------------------------------------------------
running() { [ ! -e "$D/stop" ] && [ "$(date +%s)" -lt "$DEADLINE" ]; }
# every N s: run CMD (bounded by itself), then wait out the rest of the period
every() {	# every PERIOD CMD...
	local period=$1 t; shift
	while running; do
		t=$(date +%s)
		"$@" >> "$D/workload.log" 2>&1
		while running && [ $(( $(date +%s) - t )) -lt "$period" ]; do sleep 0.5; done
	done
}
dd if=/dev/zero of="$IOFILE" bs=1M count=64 oflag=direct status=none
every 10 "$WL/thread_storm" storm 2 2 & LOOPS="$LOOPS $!"
every 10 "$WL/lock_mmap" 2 3 & LOOPS="$LOOPS $!"
every 10 "$WL/mem_loop" kernel 2 & LOOPS="$LOOPS $!"
every 10 "$WL/thread_storm" threads 500 & LOOPS="$LOOPS $!"
# 400 direct 4 KiB requests paced 2 ms apart, about 1 s, then a 1 s pause
every 2 "$WL/io_direct" "$IOFILE" 200 200 16384 2000 & LOOPS="$LOOPS $!"
( while running; do
	for i in $(seq 1 20); do /bin/true; done
	sleep 1
done ) & LOOPS="$LOOPS $!"

# ---- sampling --------------------------------------------------------------
# samples: t rss_kb fds map1 map2 ... (maps in the order of $D/maps)
sample() {
	local t rss fds line id
	t=$(awk -v a="$(now)" -v b="$T0" 'BEGIN { printf "%.1f", a - b }')
	rss=$(awk '/^VmRSS/ { print $2 }' /proc/$KP/status 2>/dev/null)
	fds=$(ls /proc/$KP/fd 2>/dev/null | wc -l)
	line="$t ${rss:-0} $fds"
	echo "$line $("$D/mapcount" $(awk '{ print $1 }' "$D/maps"))" >> "$D/samples"
}
sample
next=$SAMPLE
last_report=0
while [ "$(date +%s)" -lt "$DEADLINE" ]; do
	kill -0 $KP 2>/dev/null || { bad "ktop exited during the soak: $(tail -3 "$D/ktop.err")"; break; }
	el=$(awk -v a="$(now)" -v b="$T0" 'BEGIN { printf "%d", a - b }')
	if [ "$el" -ge "$next" ]; then
		sample
		next=$((next + SAMPLE))
		if [ $((el - last_report)) -ge 300 ]; then	# a progress line every 5 min
			last_report=$el
			echo "  t=${el}s rss $(awk 'END { print $2 }' "$D/samples") KiB, fds $(awk 'END { print $3 }' "$D/samples"), $(wc -l < "$D/ktop.json") intervals"
		fi
	fi
	sleep 0.5
done
touch "$D/stop"
for p in $LOOPS; do wait "$p" 2>/dev/null; done
LOOPS=""
T_STOP=$(awk -v a="$(now)" -v b="$T0" 'BEGIN { printf "%.1f", a - b }')
sleep $DRAIN				# ktop ages out what the workload left
sample
PROG_IDS=$(grep -h '^prog_id:' /proc/$KP/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -u)
kill -TERM $KP; wait $KP; RC=$?; KP=""
LEFT=0
for i in $(seq 1 30); do			# programs are freed asynchronously
	LEFT=0
	for id in $PROG_IDS; do bpftool prog show id "$id" >/dev/null 2>&1 && LEFT=$((LEFT + 1)); done
	[ $LEFT = 0 ] && break
	sleep 0.1
done
NPROGS=$(wc -w <<<"$PROG_IDS")
printf 'SECS=%s\nKTOP=%q\nT_STOP=%s\nRC=%s\nLEFT=%s\nNPROGS=%s\n' \
	"$SECS" "$KTOP" "$T_STOP" "$RC" "$LEFT" "$NPROGS" > "$D/meta"
fi
ok() { pass=$((pass + 1)); echo "  ok: $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL: $*"; }
T_END=$(awk 'END { print $1 }' "$D/samples")

# ---- report ----------------------------------------------------------------
# the sample at the end of warm-up (first one at or after WARM s) and the last
S0=$(head -1 "$D/samples")
SW=$(awk -v w="$WARM" '$1 >= w { print; exit }' "$D/samples")
SE=$(tail -1 "$D/samples")
col() { awk -v c="$2" '{ print $c }' <<<"$1"; }
HALF=$(awk -v s="$T_STOP" -v w="$(col "$SW" 1)" 'BEGIN { print w + (s - w) / 2 }')
# peak of column C over samples with FROM <= t <= TO
peak() { awk -v c="$1" -v a="$2" -v b="$3" '$1 >= a && $1 <= b && $c > p { p = $c } END { print p + 0 }' "$D/samples"; }
# one pass over the JSON lines (about 300 KB each: 1 GB an hour), keeping per
# interval: interval_ns, lost_events in all and per tab
[ -s "$D/lines.tsv" ] && [ "$D/lines.tsv" -nt "$D/ktop.json" ] ||
	jq -r '[.interval_ns, (.lost_events // 0), (.syscalls.lost_events // 0),
		(.memory.lost_events // 0), (.locks.lost_events // 0), (.io.lost_events // 0)] | @tsv' \
		"$D/ktop.json" > "$D/lines.tsv"
n_iv=$(wc -l < "$D/lines.tsv")
# interval stats over lines FROM..TO (1-based): median max, in ms
iv() { cut -f1 "$D/lines.tsv" | sed -n "$1,$2p" | sort -n |
	awk '{ v[NR] = $1 } END { if (!NR) { print "- -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.1f %.1f\n", m / 1e6, v[NR] / 1e6 }'; }
PER_MIN=$((60 / DELAY))
first=$(iv 1 $PER_MIN)
lastfrom=$(( n_iv > PER_MIN ? n_iv - PER_MIN + 1 : 1 ))
last=$(iv $lastfrom "$n_iv")
# lost events in all and per tab, summed over lines FROM..TO
lost() { awk -v a="$1" -v b="$2" 'NR >= a && NR <= b { for (i = 2; i <= 6; i++) s[i] += $i }
	END { printf "%d\t%d\t%d\t%d\t%d\n", s[2], s[3], s[4], s[5], s[6] }' "$D/lines.tsv"; }
lost_first=$(lost 1 $PER_MIN)
lost_last=$(lost $lastfrom "$n_iv")
lost_all=$(lost 1 "$n_iv")

printf '\nsoak figures: %s s run, %s intervals written, workload stopped at t %s s;\n' "$SECS" "$n_iv" "$T_STOP"
printf 't0 = %s s, start = %s s (end of warm-up), end = %s s; peaks over [start, %s] and (%s, %s]\n' \
	"$(col "$S0" 1)" "$(col "$SW" 1)" "$T_END" "$HALF" "$HALF" "$T_STOP"
F='  %-30s %9s %9s %9s %9s %9s %9s\n'
printf "$F" "" t0 start "peak 1st" "peak 2nd" end "end-start"
row() {	# row NAME COLUMN
	local c=$2 a b
	a=$(col "$SW" $c); b=$(col "$SE" $c)
	printf "$F" "$1" "$(col "$S0" $c)" "$a" "$(peak $c "$(col "$SW" 1)" "$HALF")" \
		"$(peak $c "$HALF" "$T_STOP")" "$b" "$((b - a))"
}
row "ktop VmRSS (KiB)" 2
row "ktop open fds" 3
i=4
while read -r id name max; do
	row "map $name (of $max)" $i
	i=$((i + 1))
done < "$D/maps"
F2='  %-30s %9s %9s %9s\n'
printf "$F2" "" "first min" "last min" "whole run"
printf "$F2" "interval median (ms)" "$(col "$first" 1)" "$(col "$last" 1)" "$(iv 1 "$n_iv" | awk '{ print $1 }')"
printf "$F2" "interval max (ms)" "$(col "$first" 2)" "$(col "$last" 2)" "$(iv 1 "$n_iv" | awk '{ print $2 }')"
j=1
for t in total syscalls memory locks io; do
	printf "$F2" "lost_events $t" "$(cut -f$j <<<"$lost_first")" "$(cut -f$j <<<"$lost_last")" "$(cut -f$j <<<"$lost_all")"
	j=$((j + 1))
done
echo

# ---- checks ----------------------------------------------------------------
growth=$(( $(col "$SE" 2) - $(col "$SW" 2) ))
SM=$(awk -v h="$HALF" '$1 >= h { print; exit }' "$D/samples")
growth2=$(( $(col "$SE" 2) - $(col "$SM" 2) ))
echo "  RSS: $(col "$SW" 2) KiB at t $(col "$SW" 1) s (end of warm-up), $(col "$SM" 2) KiB at t $(col "$SM" 1) s (half-way), $(col "$SE" 2) KiB at the end"
if grep -qa __asan_init "$KTOP"; then
	# ASan keeps freed memory in quarantine (256 MiB by default) and LSan
	# checks leaks at exit instead: RSS says nothing about leaks there
	echo "  note: RSS growth $growth2 KiB not asserted: $KTOP is built with ASan"
elif [ "$growth2" -lt "$RSS_KB" ]; then ok "RSS growth over the second half $growth2 KiB < $RSS_KB KiB (since warm-up: $growth KiB)"
else bad "RSS grew $growth2 KiB over the second half (limit $RSS_KB KiB; since warm-up: $growth KiB)"; fi
if [ "$(col "$SW" 3)" = "$(col "$SE" 3)" ]; then ok "open fds unchanged ($(col "$SE" 3))"
else bad "open fds: $(col "$SW" 3) after warm-up, $(col "$SE" 3) at the end"; fi
# time ktop ran: from attach to SIGTERM
expect=$(awk -v t="$T_END" -v d=$DELAY 'BEGIN { printf "%d", t / d }')
if [ "$n_iv" -ge $(( expect * 9 / 10 )) ]; then ok "$n_iv intervals written of about $expect"
else bad "only $n_iv intervals written in $T_END s (expected about $expect)"; fi
maxiv=$(cut -f1 "$D/lines.tsv" | sort -n | tail -1)
slow=$(awk -v l=$((2 * DELAY * 1000000000)) '$1 >= l' "$D/lines.tsv" | wc -l)
if [ "$slow" = 0 ]; then ok "no interval above 2 x $DELAY s (max $(awk -v v="$maxiv" 'BEGIN { printf "%.1f", v / 1e6 }') ms)"
else bad "$slow interval(s) at or above 2 x $DELAY s (max $maxiv ns)"; fi
i=4
while read -r id name max; do
	p1=$(peak $i "$(col "$SW" 1)" "$HALF")
	p2=$(peak $i "$HALF" "$T_STOP")
	endv=$(col "$SE" $i)
	lim=$(awk -v p="$p1" 'BEGIN { l = p * 2; if (l < p + 1024) l = p + 1024; printf "%d", l }')
	if [ "$p2" -gt "$lim" ] || [ "$endv" -gt "$lim" ]; then
		bad "map $name grows: peak $p1 in the first half, then $p2, end $endv (limit $lim)"
	else
		ok "map $name bounded: peaks $p1 then $p2, end $endv (limit $lim, capacity $max)"
	fi
	i=$((i + 1))
done < "$D/maps"
if [ "$RC" = 0 ]; then ok "ktop exited 0 on SIGTERM"; else bad "ktop exited $RC on SIGTERM: $(tail -5 "$D/ktop.err")"; fi
if [ "$LEFT" = 0 ]; then ok "no BPF program left of $NPROGS"
else bad "$LEFT BPF program(s) of ktop left after exit"; fi
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$D/ktop.err"; then
	bad "sanitizer report on ktop's stderr:"; sed 's/^/    /' "$D/ktop.err" | head -30
fi
echo "soak: $pass passed, $fail failed"
[ $fail = 0 ]
