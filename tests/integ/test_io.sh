#!/bin/bash
# I/O tab, exact: on a loop device nothing else touches, W 4 KiB O_DIRECT
# writes then R reads after ktop attached; the JSON sums for that disk must
# equal the workload and the deltas of /sys/block/loopN/stat exactly, and
# the percentiles be non-zero and ordered. Then, on the real disk under
# /var/tmp with a mixed workload (direct reads and writes, buffered writes
# with fsync), every interval's counts must agree with that disk's stat
# deltas, read when each JSON line arrives, within 1% (2 requests floor:
# a boundary can fall between two reads of the same instant).
# raw_tp: yes
. tests/integ/lib.sh
need_root
need_cmd jq
need_cmd losetup
need_tp block_rq_complete
W=2000 R=2000 BS=4096
LOOP=
KTOP_PID=
cleanup() {
	[ -n "$KTOP_PID" ] && kill "$KTOP_PID" 2>/dev/null && wait "$KTOP_PID" 2>/dev/null
	[ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null
	rm -rf "$TMPD"
}
trap cleanup EXIT

truncate -s 64M "$TMPD/disk.img"
LOOP=$(losetup -f --show "$TMPD/disk.img" 2>"$TMPD/losetup.err") ||
	skip "cannot set up a loop device: $(cat "$TMPD/losetup.err")"
DEV=${LOOP#/dev/}
command -v udevadm >/dev/null && udevadm settle 2>/dev/null
# field N of /sys/block/$1/stat
statf() { awk -v f="$2" '{ print $f }' "/sys/block/$1/stat"; }
lines() { wc -l < "$TMPD/out.json"; }
wait_lines() {	# wait_lines N: until the output has N lines (at most 10 s)
	local i
	for i in $(seq 1 200); do [ "$(lines)" -ge "$1" ] && return 0; sleep 0.05; done
	return 1
}

# --io-slow 1us: every request is "slow", so the ring buffer and its loss
# accounting are exercised too (4000 records in a fraction of a second).
start_ktop --panes io -d 0.5 --io-slow 1us || { bad "ktop did not start"; finish; }
r0=$(statf "$DEV" 1) rs0=$(statf "$DEV" 3) w0=$(statf "$DEV" 5) ws0=$(statf "$DEV" 7)
"$WL/io_direct" "$LOOP" $W $R &
WPID=$!
wait $WPID
assert_eq "workload exit status" 0 $?
r1=$(statf "$DEV" 1) rs1=$(statf "$DEV" 3) w1=$(statf "$DEV" 5) ws1=$(statf "$DEV" 7)
n=$(lines)
wait_lines $((n + 2)) || bad "ktop stopped writing"	# two more intervals: all reported
kill -TERM $KTOP_PID; wait $KTOP_PID; rc=$?; KTOP_PID=
assert_eq "ktop exit status after SIGTERM" 0 $rc
J=$TMPD/out.json
check "output is JSON Lines" jq -e . "$J" >/dev/null
sum() {	# sum OP FIELD: over every interval, for the loop disk
	jq -s "[.[].io.rows[] | select(.disk == \"$DEV\" and .op == \"$1\") | .$2] | add // 0" "$J"
}
assert_eq "stat: reads completed" $R $((r1 - r0))
assert_eq "stat: writes completed" $W $((w1 - w0))
assert_eq "stat: bytes read" $((R * BS)) $(((rs1 - rs0) * 512))
assert_eq "stat: bytes written" $((W * BS)) $(((ws1 - ws0) * 512))
assert_eq "ktop: read count" $((r1 - r0)) "$(sum read count)"
assert_eq "ktop: write count" $((w1 - w0)) "$(sum write count)"
assert_eq "ktop: read bytes" $(((rs1 - rs0) * 512)) "$(sum read bytes)"
assert_eq "ktop: write bytes" $(((ws1 - ws0) * 512)) "$(sum write bytes)"
assert_eq "ktop: no other operation on $DEV" 0 \
	"$(jq -s "[.[].io.rows[] | select(.disk == \"$DEV\" and .op != \"read\" and .op != \"write\")] | length" "$J")"
check "percentiles non-zero and p50 <= p95 <= p99 <= p99.9 <= max" jq -se \
	"[.[].io.rows[] | select(.disk == \"$DEV\")] | length > 0 and
	 all(.p50_ns > 0 and .p50_ns <= .p95_ns and .p95_ns <= .p99_ns and
	     .p99_ns <= .p999_ns and .p999_ns <= .max_ns)" "$J"
check "0 < device avg <= avg <= max; every request issued, none failed" jq -se \
	"all(.[].io.rows[] | select(.disk == \"$DEV\");
	     .avg_ns > 0 and .avg_ns <= .max_ns and .device_avg_ns > 0 and
	     .device_avg_ns <= .avg_ns and .issued == .count and .errors == 0)" "$J"
check "no queue time without queued requests" jq -se \
	'all(.[].io.rows[]; .queued > 0 or .queue_avg_ns == 0)' "$J"
# who: every request on the loop disk is the workload's
assert_eq "processes: workload's requests on $DEV" $((R + W)) \
	"$(jq -s "[.[].io.processes[] | select(.disk == \"$DEV\" and .pid == $WPID) | .count] | add // 0" "$J")"
assert_eq "processes: workload's bytes on $DEV" $(((R + W) * BS)) \
	"$(jq -s "[.[].io.processes[] | select(.disk == \"$DEV\" and .pid == $WPID) | .bytes] | add // 0" "$J")"
check "processes: comm of the workload" jq -se \
	"all(.[].io.processes[] | select(.pid == $WPID); .comm == \"io_direct\")" "$J"
check "partitions: the whole loop disk" jq -se \
	"[.[].io.partitions[] | select(.disk == \"$DEV\") | .count] | add == $((R + W))" "$J"
# slow list: every record of the loop disk is one of the workload's 4 KiB
# requests; the records seen plus the losses counted cover all of them
check "slow records of $DEV are the workload's" jq -se \
	"[.[].io.slow[] | select(.disk == \"$DEV\")] | length > 0 and
	 all(.bytes == $BS and .lat_ns >= 1000 and .pid == $WPID and .comm == \"io_direct\" and
	     (.op == \"read\" or .op == \"write\") and .sector % 8 == 0)" "$J"
check "slow_count + lost_events >= requests" jq -se \
	"([.[].io.slow_count] | add) + ([.[].io.lost_events] | add) >= $((R + W))" "$J"
check "attach flavour reported" jq -se 'all(.[]; .io.attach == "tp_btf" or .io.attach == "raw_tp")' "$J"
if [ "${KTOP_FORCE_RAW_TP:-}" = 1 ]; then
	check "raw_tp flavour used when forced" jq -se 'all(.[]; .io.attach == "raw_tp")' "$J"
fi
losetup -d "$LOOP" && LOOP=

# ---- the real disk, per interval --------------------------------------
SRC=$(findmnt -no SOURCE -T /var/tmp 2>/dev/null)
NAME=${SRC#/dev/}
if [ -z "$SRC" ] || [ ! -e "/sys/class/block/$NAME" ]; then
	echo "  note: /var/tmp is not on a block device ($SRC): real-disk check not run"
	finish
fi
[ -e "/sys/class/block/$NAME/partition" ] && NAME=$(basename "$(readlink -f "/sys/class/block/$NAME/..")")
F=$(mktemp /var/tmp/ktop-io-test.XXXXXX)
trap 'cleanup; rm -f "$F" "$F.b"' EXIT
truncate -s 64M "$F"
(
	# about 700 requests/s: a poll and the stat read that follows it are
	# a few ms apart on a busy machine, a few requests at this rate. It
	# starts once the first line (the baseline) is read, and ends before
	# the last: so the run's two ends, where the two counts cannot cancel,
	# fall where this workload does no I/O.
	for i in $(seq 1 600); do [ -e "$TMPD/go" ] && break; sleep 0.05; done
	[ -e "$TMPD/go" ] || exit 1
	end=$((SECONDS + 6))
	while [ $SECONDS -lt $end ]; do
		"$WL/io_direct" "$F" 300 300 16384 1000 || exit 1
		dd if=/dev/zero of="$F.b" bs=64k count=16 conv=fsync status=none || exit 1
	done
) &
LPID=$!
# one stat reading per JSON line, taken as the line arrives
# one stat reading per JSON line, taken as the line arrives (builtins only:
# no fork between the two), and how long after ktop's poll that was
"$KTOP" -b --json --panes io -d 2 -n 5 2>"$TMPD/err2.txt" | while IFS= read -r l; do
	read -r st < "/sys/block/$NAME/stat"
	now=$EPOCHREALTIME
	printf '%s\n' "$st" >> "$TMPD/real.stat"
	printf '%s\n' "$l" >> "$TMPD/real.json"
	printf '%s\n' "$now" >> "$TMPD/real.when"
	: > "$TMPD/go"
done
wait $LPID
assert_eq "mixed workload exit status" 0 $?
nl=$(wc -l < "$TMPD/real.json")
assert_eq "intervals written" 5 "$nl"
# how long after ktop's poll each stat line was read (ms, one per line)
paste -d' ' <(jq -r '.timestamp' "$TMPD/real.json") "$TMPD/real.when" |
	while read -r ts w; do
		echo "$w $(date -d "$ts" +%s.%N)"
	done | awk '{ printf "%.1f\n", ($1 - $2) * 1000 }' > "$TMPD/lag.txt"
echo "  note: stat read at most $(sort -n "$TMPD/lag.txt" | tail -1) ms after ktop's poll"
worst=0
for i in $(seq 2 "$nl"); do
	# requests that completed between a poll and its stat read (both ends)
	skew_ms=$(awk -v a=$((i - 1)) -v b=$i 'NR == a || NR == b { t += $1 } END { printf "%d", t + 1 }' "$TMPD/lag.txt")
	for op in read:1 write:5 discard:12 flush:16; do
		o=${op%%:*} f=${op##*:}
		s=$(awk -v a=$((i - 1)) -v b=$i -v f=$f 'NR == a { x = $f } NR == b { print $f - x }' "$TMPD/real.stat")
		k=$(sed -n "${i}p" "$TMPD/real.json" |
			jq "[.io.rows[] | select(.disk == \"$NAME\" and .op == \"$o\") | .count] | add // 0")
		# A request completing between ktop's poll and the stat read counts
		# in the next interval for one and in this one for the other: per
		# interval the bound adds this interval's rate (s over 2 s) times
		# the two reads' measured delays, plus one request per ms of delay
		# (the workload runs in bursts of up to 1000 requests/s), and over
		# the whole run (where they cancel) it is tight.
		tol=$(( (s / 10 > 10 ? s / 10 : 10) + s * skew_ms / 2000 + skew_ms ))
		d=$(( k > s ? k - s : s - k ))
		echo "  interval $i $NAME $o: ktop $k, stat $s"
		[ $d -gt $tol ] && bad "interval $i $o: ktop $k vs stat $s differ by more than $tol"
		eval "tk_$o=\$(( \${tk_$o:-0} + k )) ts_$o=\$(( \${ts_$o:-0} + s )) tl_$o=$s"
		[ $s -gt 100 ] &&
			worst=$(awk -v w=$worst -v d=$d -v s=$s 'BEGIN { p = 100 * d / s; print (p > w ? p : w) }')
	done
done
ok "worst per-interval difference on $NAME (>100 requests): ${worst}%"
# the run's last end is quiet unless a busy machine made the workload
# outlast the fourth interval: then its rate times the last read's delay
last_ms=$(tail -1 "$TMPD/lag.txt" | awk '{ printf "%d", $1 + 1 }')
for o in read write discard flush; do
	eval "k=\$tk_$o s=\$ts_$o sl=\$tl_$o"
	tol=$(( (s / 100 > 3 ? s / 100 : 3) + sl * last_ms / 2000 ))
	d=$(( k > s ? k - s : s - k ))
	if [ $d -le $tol ]; then ok "$NAME $o over the run: ktop $k, stat $s (within $tol)"
	else bad "$NAME $o over the run: ktop $k vs stat $s differ by more than $tol"; fi
done
check "the mixed workload was seen (more than one round of 600 requests)" test "$(jq -s "[.[].io.rows[] | select(.disk == \"$NAME\") | .count] | add // 0" "$TMPD/real.json")" -gt 600
finish
