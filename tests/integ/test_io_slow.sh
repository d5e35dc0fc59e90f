#!/bin/bash
# I/O slow list and losses, on the disk holding /var/tmp: a bulk O_DIRECT
# writer and an fsync writer, every request "slow" (--io-slow 1us) so the
# list of 32 overflows each interval. Checked per interval:
# - honest counts: slow_count = slow_listed + slow_not_kept, listed <= 32;
# - a few of each op are kept: when flushes completed, the list has one;
# - no sector is shown as a number where there is none: device flushes and
#   the 0-byte flush requests have "sector": null;
# - device flushes name a process (the fsync writer whose flush request
#   completed with them) or say why not;
# - losses are explained: lost_events is the sum of the causes, and
#   lost_in_percentiles counts those missing from the rows' percentiles;
#   the flush count equals the disk's own (/sys/block/DEV/stat), so no
#   flush is lost.
# raw_tp: yes
. tests/integ/lib.sh
need_root
need_cmd jq
need_tp block_rq_complete
DEV=$(lsblk -no PKNAME "$(df --output=source /var/tmp | tail -1)" 2>/dev/null | head -1)
[ -n "$DEV" ] || DEV=$(basename "$(df --output=source /var/tmp | tail -1)")
[ -r "/sys/block/$DEV/stat" ] || skip "cannot find the disk of /var/tmp"
[ "$(awk '{print NF}' "/sys/block/$DEV/stat")" -ge 17 ] || skip "/sys/block/$DEV/stat has no flush fields"
F=$(mktemp /var/tmp/ktop-io-slow.XXXXXX)
trap 'kill $KTOP_PID $BULK $SYNC 2>/dev/null; rm -f "$F" "$F.sync"; rm -rf "$TMPD"' EXIT
flushes() { awk '{print $16}' "/sys/block/$DEV/stat"; }
start_ktop --panes io -d 1 --io-slow 1us || { bad "ktop did not start"; finish; }
f0=$(flushes)
dd if=/dev/zero of="$F" bs=64k count=3000 oflag=direct status=none &
BULK=$!
( for i in $(seq 1 200); do dd if=/dev/zero of="$F.sync" bs=4k count=1 oflag=append \
	conv=notrunc,fsync status=none; done ) &
SYNC=$!
sleep 6
kill $BULK $SYNC 2>/dev/null; wait $BULK $SYNC 2>/dev/null
sleep 2.5				# the flushes of the last fsyncs complete
f1=$(flushes)
n=$(wc -l < "$TMPD/out.json")
for i in $(seq 1 40); do [ "$(wc -l < "$TMPD/out.json")" -gt "$n" ] && break; sleep 0.05; done
kill -TERM $KTOP_PID; wait $KTOP_PID
f2=$(flushes)
J=$TMPD/out.json
check "output is JSON Lines" jq -e . "$J"
check "slow_count = slow_listed + slow_not_kept, listed <= 32, every interval" jq -se \
	'all(.[].io; .slow_count == .slow_listed + .slow_not_kept and .slow_listed <= 32 and (.slow | length) == .slow_listed)' "$J"
check "some interval had more slow requests than the list keeps" jq -se \
	'any(.[].io; .slow_not_kept > 0)' "$J"
# intervals where flushes completed on the disk and the list overflowed
check "flushes kept among the bulk writes" jq -se --arg d "$DEV" \
	'[.[].io | select(.slow_not_kept > 0 and any(.rows[]; .disk == $d and .op == "flush" and .count > 0))]
	 | length > 0 and all(.[]; any(.slow[]; .op == "flush"))' "$J"
check "device flushes and flush requests have no sector (null)" jq -se \
	'[.[].io.slow[] | select(.op == "flush" or .kind == "flush_request")] | length > 0 and all(.[]; .sector == null)' "$J"
check "every other slow request has a numeric sector" jq -se \
	'all(.[].io.slow[] | select(.op != "flush" and .kind != "flush_request"); .sector | type == "number")' "$J"
check "device flushes name a process or say why not" jq -se \
	'all(.[].io.slow[] | select(.kind == "device_flush"); .pid > 0 or (.why_no_process | length > 0))' "$J"
check "some device flush is attributed to the fsync writer (dd)" jq -se \
	'any(.[].io.slow[] | select(.kind == "device_flush"); .comm == "dd")' "$J"
check "lost_events = sum of the drops, every interval" jq -se \
	'all(.[].io; .lost_events == (.drops | add))' "$J"
check "lost_in_percentiles = reqs_full + stats_full + stale + abandoned" jq -se \
	'all(.[].io; .lost_in_percentiles == .drops.reqs_full + .drops.stats_full + .drops.stale + .drops.abandoned)' "$J"
seen=$(jq -s --arg d "$DEV" '[.[].io.rows[] | select(.disk == $d and .op == "flush") | .count] | add // 0' "$J")
# the disk counted f1-f0 while we watched, at most f2-f0 by the end
assert_range "flushes counted vs /sys/block/$DEV/stat (none lost)" $((f1 - f0 - 2)) $((f2 - f0)) "$seen"
echo "  (losses: $(jq -sc '[.[].io.drops.stale] | add' "$J") stale, $(jq -sc '[.[].io.lost_in_percentiles] | add' "$J") missing from percentiles, of $(jq -sc '[.[].io.rows[].count] | add' "$J") requests)"
finish
