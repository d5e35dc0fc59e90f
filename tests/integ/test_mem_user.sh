#!/bin/bash
# Memory tab, user mode (-p): a process whose keep_block() keeps every 4 KiB
# block it allocates and whose churn_block() frees each one. The keeping
# stack is the top row with exactly N outstanding allocations, frames
# keep_block+0x.. (mem_leaky.c:LINE), a leak suspect; the churning stack
# holds at most the one block in flight and is never a suspect; freeing
# the kept blocks brings it to 0; the target's exit is noted; nothing stays
# attached.
. tests/integ/lib.sh
need_root
need_cmd jq
[ -x "$WL/mem_leaky" ] || skip "workload $WL/mem_leaky not built"

N=150
: > "$TMPD/wl.out"
"$WL/mem_leaky" $N 40 > "$TMPD/wl.out" &
WP=$!
wait_for ready "$TMPD/wl.out" 5 || { kill $WP; bad "workload did not start"; finish; }
start_ktop --panes memory -p $WP --leak-age 1 -d 0.5 -n 60 || { kill $WP; bad "ktop did not start"; finish; }
kill -USR1 $WP
wait_for "done $N" "$TMPD/wl.out" 40 || bad "workload did not finish its allocations"
sleep 1.5				# two more intervals: the final counts are in
kill -USR1 $WP				# now it frees every kept block
wait_for "freed $N" "$TMPD/wl.out" 10 || bad "workload did not free"
sleep 1.5
# the programs and links ktop holds, by id, to check they are gone after it
ids=$(grep -h '^prog_id:' /proc/$KTOP_PID/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -u)
links=$(grep -h '^link_id:' /proc/$KTOP_PID/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -u)
loaded=$(echo $ids | wc -w)
kill $WP; wait $WP 2>/dev/null
sleep 1.5
kill -INT $KTOP_PID; wait $KTOP_PID; rc=$?
assert_eq "ktop exit status" 0 $rc
J=$TMPD/out.json
jq -e . "$J" > /dev/null || bad "output is not JSON lines"

assert_eq "mode" user "$(head -1 $J | jq -r .memory.mode)"
assert_eq "attach" uprobe "$(head -1 $J | jq -r .memory.attach)"
echo "  allocator: $(head -1 $J | jq -r .memory.allocator_lib)"
# the row of each function's stack, by its first frame
row() {	# row FUNC LINE-FILTER: rows[] of that stack, one JSON per line
	jq -c --arg f "$1+" '.memory as $m | [$m.rows[] | select(.stack >= 0 and
		($m.stacks[.stack].frames[0] // "" | startswith($f)))] | .[0] // empty' "$J"
}
keep_max=$(row keep_block | jq -s 'map(.outstanding_allocs) | max')
assert_eq "keep_block outstanding allocations (max)" $N "$keep_max"
keep_sum=$(row keep_block | jq -s 'map(.allocs) | add')
assert_eq "keep_block allocations seen" $N "$keep_sum"
churn_max=$(row churn_block | jq -s 'map(.outstanding_allocs) | max')
assert_range "churn_block outstanding allocations (max)" 0 1 "$churn_max"
churn_sum=$(row churn_block | jq -s 'map(.allocs) | add')
assert_eq "churn_block allocations seen" $N "$churn_sum"
churn_frees=$(row churn_block | jq -s 'map(.frees) | add')
assert_eq "churn_block frees seen" $N "$churn_frees"
# top row while it holds most of its blocks
top_ok=$(jq -r --argjson h $((N / 2)) '.memory as $m | select(($m.rows | length) > 0) |
	($m.rows[0]) as $r | select([$m.rows[] | select(.stack >= 0 and
	($m.stacks[.stack].frames[0] // "" | startswith("keep_block+")) and
	.outstanding_allocs >= $h)] | length > 0) |
	($m.stacks[$r.stack].frames[0] | startswith("keep_block+"))' "$J" | sort -u | tr '\n' ' ')
assert_eq "keep_block's stack is the top row while it holds blocks" "true " "$top_ok"
assert_eq "keep_block is a leak suspect" true "$(row keep_block | jq -s 'map(.suspect) | any')"
assert_eq "churn_block is never a suspect" false "$(row churn_block | jq -s 'map(.suspect) | any')"
frame=$(jq -r '.memory as $m | $m.stacks[] | select(.frames[0] // "" | startswith("keep_block+")) |
	"\(.frames[0]) \(.sources[0])"' "$J" | tail -1)
echo "  keep_block frame: $frame"
check "keep_block frame has symbol+0xoff and file:line" \
	grep -qE '^keep_block\+0x[0-9a-f]+ mem_leaky\.c:[0-9]+$' <<<"$frame"
check "its caller is main" test "$(jq -r '.memory.stacks[] | select(.frames[0] // "" |
	startswith("keep_block+")) | .frames[1]' "$J" | tail -1 | cut -d+ -f1)" = main
assert_eq "keep_block outstanding after the frees" 0 "$(row keep_block | jq -s 'last.outstanding_allocs')"
assert_eq "target exited noted" true "$(tail -1 $J | jq '.memory.target_exited')"
check "note says the process exited" grep -q "has exited" <<<"$(tail -1 $J | jq -r '.memory.note')"
assert_eq "untracked allocations" 0 "$(tail -1 $J | jq '.memory.untracked_total')"
check "uprobe programs were loaded while it ran ($loaded)" test "$loaded" -gt 0
left=0
for id in $ids; do bpftool prog show id $id > /dev/null 2>&1 && left=$((left + 1)); done
for id in $links; do bpftool link show id $id > /dev/null 2>&1 && left=$((left + 1)); done
assert_eq "programs and links of this ktop still there after it exited" 0 $left
finish
