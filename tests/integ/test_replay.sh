#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Replay shows what was recorded. A real run (-b --json -n 3 -d 0.5, all
# tabs) is recorded while lock contention (lock_mmap) and direct I/O
# (io_direct, reads and writes) run, then:
#  - ktop --replay REC -b --json must give every record back field for field
#    (jq -S) for the syscalls, locks and io sections and the top level;
#    no field is deleted before comparing, because all of them round-trip
#    (memory is compared too but only reported: that tab is still changing);
#  - ktop --replay REC -b (the text report of each replayed record) must
#    show the recorded numbers: every table line of the syscalls, locks and
#    io sections is rebuilt here from the JSON values with an independent
#    formatter (awk below, mirroring core/fmt.c) and must be in the report;
#  - the committed UI fixtures (tests/ui/fixtures/*.ndjson: hand-edited,
#    hostile comm, long waits, slow I/O, details) replay to the same JSON.
# raw_tp: no (replay loads no BPF; the recording is the plain default run)
. tests/integ/lib.sh
need_root
need_cmd jq
for w in lock_mmap io_direct; do
	[ -x "$WL/$w" ] || skip "workload $WL/$w not built (make O=... $WL/$w)"
done
WPIDS=
IOF=/var/tmp/ktop-replay-$$.img		# a real disk: /tmp may be tmpfs
cleanup() {
	# shellcheck disable=SC2086
	[ -n "$WPIDS" ] && kill $WPIDS 2>/dev/null && wait $WPIDS 2>/dev/null
	rm -f "$IOF"
	rm -rf "$TMPD"
}
trap cleanup EXIT

# ---- record -------------------------------------------------------------
# The workloads run until killed, so every interval of the recording has
# them, however long ktop takes to attach on a busy machine.
dd if=/dev/zero of="$IOF" bs=1M count=16 conv=fsync status=none || skip "cannot write $IOF"
"$WL/lock_mmap" 3 600 > /dev/null & WPIDS="$WPIDS $!"
"$WL/io_direct" "$IOF" 100000000 0 4096 300 > /dev/null & WPIDS="$WPIDS $!"
"$WL/io_direct" "$IOF" 0 100000000 4096 300 > /dev/null & WPIDS="$WPIDS $!"
REC=$TMPD/rec.ndjson
"$KTOP" -b --json -n 3 -d 0.5 --lock-long 200us --io-slow 200us > "$REC" 2> "$TMPD/err.txt"
rc=$?
assert_eq "recording: ktop exit status" 0 $rc
[ $rc = 0 ] || { cat "$TMPD/err.txt"; finish; }
# shellcheck disable=SC2086
kill $WPIDS 2>/dev/null; wait $WPIDS 2>/dev/null; WPIDS=
N=$(wc -l < "$REC")
assert_eq "recording: records" 3 "$N"
check "recording: every line is a JSON object" jq -e 'type == "object"' "$REC"
# what makes the comparison worth something: the workload is in the recording
check "recording: syscall rows in every record" jq -se 'all(.[]; (.syscalls.rows | length) > 0)' "$REC"
check "recording: contended locks (with callers) in a record" \
	jq -se 'any(.[]; any(.locks.rows[]?; (.callers | length) > 0))' "$REC"
check "recording: I/O rows in a record" jq -se 'any(.[]; (.io.rows | length) > 0)' "$REC"
check "recording: I/O processes in a record" jq -se 'any(.[]; (.io.processes | length) > 0)' "$REC"
echo "  recorded: $(jq -sc '[.[] | {sc: (.syscalls.rows | length), locks: (.locks.rows | length),
	long: (.locks.long_waits | length), io: (.io.rows | length), iop: (.io.processes | length),
	slow: (.io.slow | length)}]' "$REC")"

# ---- (b) the JSON values: re-emitted JSON equals the recording ----------
RE=$TMPD/re.ndjson
"$KTOP" --replay "$REC" -b --json > "$RE" 2> "$TMPD/err.txt"
assert_eq "replay -b --json: exit status" 0 $?
assert_eq "replay -b --json: records" "$N" "$(wc -l < "$RE")"
# same DESC FILTER FILE_A FILE_B LINE: the filter's output equal, keys sorted
same() {
	diff -u <(sed -n "$5p" "$3" | jq -S "$2") <(sed -n "$5p" "$4" | jq -S "$2") > "$TMPD/diff"
}
for i in $(seq 1 "$N"); do
	for tab in syscalls locks io; do
		if same "$tab" ".$tab" "$REC" "$RE" "$i"; then
			ok "record $i: replayed $tab JSON equals the recorded one field for field"
		else
			bad "record $i: replayed $tab JSON differs"; head -40 "$TMPD/diff"
		fi
	done
	if same top 'del(.syscalls, .memory, .locks, .io)' "$REC" "$RE" "$i"; then
		ok "record $i: replayed top-level fields equal the recorded ones"
	else
		bad "record $i: replayed top-level fields differ"; head -40 "$TMPD/diff"
	fi
	same memory .memory "$REC" "$RE" "$i" &&
		echo "  (record $i: memory JSON round-trips too; not asserted)" ||
		echo "  (record $i: memory JSON differs; not asserted: the Memory tab is being finished)"
done
"$KTOP" --replay "$REC" -b --json -n 2 > "$TMPD/two.ndjson"
assert_eq "replay -b -n 2: records written" 2 "$(wc -l < "$TMPD/two.ndjson")"

# ---- (a) the text report of the replay shows the recorded numbers -------
"$KTOP" --replay "$REC" -b > "$TMPD/re.txt" 2> "$TMPD/err.txt"
assert_eq "replay -b: exit status" 0 $?
# one file per record: each report starts with "ktop VERSION - TIME"
awk -v d="$TMPD" '/^ktop [^ ]+ - [0-9]/ { n++ } n { print > (d "/text." n) }' "$TMPD/re.txt"

# JSON -> TSV, one line per table line the text writer prints (the same
# row limits: 20 rows, 10 processes, 10 long waits or slow requests).
# Rows holding anything but printable ASCII are left out: the writer
# escapes those, which the fixtures test on screen.
JQ_TSV='
def p: tostring | test("^[ -~]*$");
def secs: if .interval_ns > 0 then .interval_ns / 1e9 else 1 end;
secs as $secs |
(["H1", .version, .timestamp, .host, .kernel, .interval_ns, .iteration],
 ["H2", .self_cpu_pct, .self_rss_kb, .lost_events, (.bpf_run_ns // ""), (.bpf_run_cnt // ""),
  .interval_ns]),
((["syscalls", "Syscalls"], ["memory", "Memory"], ["locks", "Locks"], ["io", "I/O"]) as [$k, $t] |
  .[$k] | select(. != null) |
  if .disabled then ["TS", $t, "disabled", .disabled] else ["TS", $t, .attach, .lost_events, .note // ""] end
  | select(all(.[]; p))),
(.syscalls | select(.rows) |
  ([.rows[].total_ns] | add // 0) as $T |
  (.rows[:20][] | select(.name | p) |
    ["SC", .name, .count, .errors, .total_ns, .p50_ns, .p95_ns, .p99_ns, .max_ns, $T, $secs]),
  ((.processes // [])[:10][] | select(.comm | p) | ["SCP", .pid, .comm, .count, .errors, .total_ns, $secs])),
(.locks | select(.rows) |
  (.rows[:20][] | select((.symbol | p) and (.type | p) and (.top_caller | p) and (.top_waiter.comm | p)) |
    ["LK", .addr, .symbol, .type, .contentions, .total_wait_ns, .avg_wait_ns, .p99_ns,
     .max_wait_ns, .top_caller, .top_waiter.pid, .top_waiter.comm, $secs]),
  ["LH", .long_threshold_ns, .long_waits_in_interval],
  ((.long_waits // [])[:10][] | select((.symbol | p) and (.type | p) and (.comm | p) and (.caller | p)) |
    ["LW", .timestamp, .wait_ns, .addr, .symbol, .type, .pid, .tid, .comm, .caller])),
(.io | select(.rows) |
  (.rows[:20][] | select((.disk | p) and (.op | p)) |
    ["IO", .disk, .op, .count, .bytes, .avg_ns, .p50_ns, .p95_ns, .p99_ns, .p999_ns, .max_ns,
     .queued, .queue_avg_ns, .issued, .device_avg_ns, .flagged, $secs]),
  ((.processes // [])[:10][] | select((.comm | p) and (.disk | p)) |
    ["IOP", .pid, .comm, .disk, .op, .count, .bytes, $secs]),
  (select((.slow // [] | length) > 0) | ["IOH", .slow_threshold_ns, .slow_count + .drops.slow,
    (.slow | length), .slow_not_kept, .drops.slow]),
  ((.slow // [])[:10][] | select((.partition | p) and (.comm | p)) |
    ["IOS", .timestamp, .partition, .op, (.sector // "-"), .bytes, .lat_ns, .pid, .comm, .error,
     (.kind // "")]))
| map(tostring) | @tsv'

# The text writer's formats (core/out_*.c) and units (core/fmt.c), again.
AWK_FMT='
function unit(v, u) {
	if (v < 9.995) return sprintf("%.2f%s", v, u)
	if (v < 99.95) return sprintf("%.1f%s", v, u)
	return sprintf("%.0f%s", v, u)
}
function ns(x) {
	if (x < 1000) return sprintf("%dns", x)
	if (x < 999500) return unit(x / 1e3, "us")
	if (x < 999500000) return unit(x / 1e6, "ms")
	return unit(x / 1e9, "s")
}
function cnt(v) {
	if (!(v > 0)) v = 0
	if (v < 9.95 && v != int(v)) return sprintf("%.1f", v)
	if (v < 9999.5) return sprintf("%.0f", v)
	if (v < 999950) return sprintf("%.1fk", v / 1e3)
	if (v < 999950000) return sprintf("%.1fM", v / 1e6)
	return sprintf("%.1fG", v / 1e9)
}
function bytes(b,   u) {
	u = 0
	while (b >= 1023.5 && u < 5) { b /= 1024; u++ }
	if (!u) return sprintf("%.0fB", b)
	return sprintf(b < 9.95 ? "%.1f%s" : "%.0f%s", b, substr("BKMGTP", u + 1, 1))
}
function idiv(a, b) { return b ? (a - a % b) / b : 0 }
function lockname(sym, addr, caller) {
	if (sym != "") return sym
	if (caller != "") return addr " (" caller ")"
	return addr
}
BEGIN { FS = "\t" }
$1 == "H1" { printf "%s\tktop %s - %s  host %s  kernel %s  interval %s  #%s\n", $1, $2, $3, $4, $5, ns($6), $7 }
$1 == "H2" {
	line = sprintf("ktop cpu %.2f%%  rss %s KiB  lost events %s", $2, $3, $4)
	if ($5 != "") line = line sprintf("  bpf %.3f ms/s (%s runs)", ($7 > 0 ? $5 / 1e6 / ($7 / 1e9) : 0), $6)
	print $1 "\t" line
}
$1 == "TS" && $3 == "disabled" { printf "%s\t== %s (disabled: %s)\n", $1, $2, $4; next }
$1 == "TS" { printf "%s\t== %s (%s, lost %s)%s%s\n", $1, $2, $3, $4, $5 != "" ? "  " : "", $5 }
$1 == "SC" {
	s = $11
	printf "%s\t%-22s %9s %8s %6.1f %9s %9s %9s %9s %9s\n", $1, $2, cnt($3 / s), cnt($4 / s),
		($10 > 0 ? 100.0 * $5 / $10 : 0.0), ns(idiv($5, $3)), ns($6), ns($7), ns($8), ns($9)
}
$1 == "SCP" { s = $7; printf "%s\t%7s %-16s %9s %8s %10s\n", $1, $2, $3, cnt($4 / s), cnt($5 / s), ns($6) }
$1 == "LK" {
	s = $13
	printf "%s\t%-40.40s %-14s %8s %9.2f %8s %8s %8s  %-24s %s\n", $1, lockname($3, $2, $10), $4,
		cnt($5 / s), $6 / s / 1e6, ns($7), ns($8), ns($9), $10 != "" ? $10 : "-",
		($11 > 0 ? $11 " " $12 : "-")
}
$1 == "LH" { printf "%s\tlong waits (> %s) in this interval: %s\n", $1, ns($2), $3 }
$1 == "LW" {
	printf "%s\t  %s %8s %-40.40s %-14s %s/%s %s  from %s\n", $1, substr($2, 12), ns($3),
		lockname($5, $4, $10), $6, $7, $8, $9, $10 != "" ? $10 : "-"
}
$1 == "IO" {
	s = $17
	printf "%s\t%-10s %-7s %7s %8.2f %7s %7s %7s %7s %7s %7s %7s %7s%s\n", $1, $2, $3, cnt($4 / s),
		$5 / s / 1e6, ns($6), ns($7), ns($8), ns($9), ns($10), ns($11),
		($12 > 0 ? ns($13) : "-"), ($14 > 0 ? ns($15) : "-"), ($16 == "true" ? "  !p95" : "")
}
$1 == "IOP" { s = $8; printf "%s\t%7s %-16s %-10s %-7s %8s %8.2f\n", $1, $2, $3, $4, $5, cnt($6 / s), $7 / s / 1e6 }
$1 == "IOH" {
	printf "%s\tslow I/O (>= %s): %s in this interval, %s listed, %s not kept (the list keeps 32), %s not recorded (ring buffer full)\n",
		$1, ns($2), $3, $4, $5, $6
}
$1 == "IOS" {
	kind = $11 == "flush_request" ? "  (flush request)" : \
	       $11 == "device_flush" ? ($8 > 0 ? "  (device flush, for this process)" : \
				       "  (device flush, no process: see docs/io.md)") : ""
	printf "%s\t%-24s %-10s %-7s %12s %8s %8s %7s %-16s%s%s\n", $1, $2, $3, $4, $5, bytes($6), ns($7),
		$8, ($8 > 0 ? $9 : "-"), kind, ($10 == "true" ? "  error" : "")
}'

TAB=$'\t'
declare -A what=([H1]="report header" [H2]="health line" [TS]="tab status lines" [SC]="syscalls table" [SCP]="syscalls processes"
	[LK]="locks table" [LH]="long-wait count" [LW]="long waits" [IO]="I/O table"
	[IOP]="I/O processes" [IOH]="slow-I/O count" [IOS]="slow I/O list")
for i in $(seq 1 "$N"); do
	T=$TMPD/text.$i
	if [ ! -s "$T" ]; then
		bad "record $i: no text report"
		continue
	fi
	if ! sed -n "${i}p" "$REC" | jq -r "$JQ_TSV" > "$TMPD/tsv.$i" ||
	   ! awk "$AWK_FMT" "$TMPD/tsv.$i" > "$TMPD/expect.$i" || ! grep -q "^H1$TAB" "$TMPD/expect.$i"; then
		bad "record $i: cannot rebuild the expected report lines from the JSON"
		continue
	fi
	for sec in H1 H2 TS SC SCP LK LH LW IO IOP IOH IOS; do
		n=$(grep -c "^$sec$TAB" "$TMPD/expect.$i")
		[ "$n" = 0 ] && continue
		# every expected line is a line of the report, in the same order
		missing=$(grep "^$sec$TAB" "$TMPD/expect.$i" | cut -f2- |
			awk 'NR == FNR { have[$0] = 1; next } !($0 in have)' "$T" -)
		order=$(grep "^$sec$TAB" "$TMPD/expect.$i" | cut -f2- |
			awk 'NR == FNR { pos[$0] = FNR; next } pos[$0] <= last { bad = 1 } { last = pos[$0] }
			     END { print bad ? "out of order" : "" }' "$T" -)
		if [ -z "$missing" ] && [ -z "$order" ]; then
			ok "record $i: text report's ${what[$sec]} shows the recorded values ($n lines)"
		else
			bad "record $i: text report's ${what[$sec]}: ${order:-lines missing}"
			echo "    expected, not in the report:"; sed 's/^/      |/' <<<"$missing"
			echo "    the report:"; sed 's/^/      |/' "$T" | head -60
		fi
	done
	# and the text says it has as many rows as the recording
	rows=$(awk '/^SYSCALL /{on=1; next} on && /^$/{exit} on && !/^\.\.\. /{n++} END{print n+0}' "$T")
	assert_eq "record $i: syscall rows in the text report" \
		"$(sed -n "${i}p" "$REC" | jq '[.syscalls.rows | length, 20] | min')" "$rows"
	rows=$(awk '/^LOCK /{on=1; next} on && /^$/{exit} on && !/^(\.\.\. |\(no lock)/{n++} END{print n+0}' "$T")
	assert_eq "record $i: lock rows in the text report" \
		"$(sed -n "${i}p" "$REC" | jq '[.locks.rows | length, 20] | min')" "$rows"
	rows=$(awk '/^DISK /{on=1; next} on && /^$/{exit} on && !/^(\.\.\. |\(no block)/{n++} END{print n+0}' "$T")
	assert_eq "record $i: I/O rows in the text report" \
		"$(sed -n "${i}p" "$REC" | jq '[.io.rows | length, 20] | min')" "$rows"
done

# ---- the UI fixtures round-trip too (hand-edited: hostile strings, details) --
for f in tests/ui/fixtures/*.ndjson; do
	[ -e "$f" ] || continue
	"$KTOP" --replay "$f" -b --json > "$TMPD/fx.ndjson" 2> "$TMPD/err.txt"
	if [ $? = 0 ] && diff -u <(jq -S . "$f") <(jq -S . "$TMPD/fx.ndjson") > "$TMPD/diff"; then
		ok "fixture $(basename "$f"): replayed JSON equals the file field for field"
	else
		bad "fixture $(basename "$f"): replayed JSON differs"; head -40 "$TMPD/diff"; cat "$TMPD/err.txt"
	fi
done
finish
