#!/bin/bash
# Memory tab, kernel mode: one process hoards N pipes, another creates and
# closes pipes at the same rate. The hoarder shows at least N outstanding
# kernel allocations from pipe-creating stacks (one per call site), grows
# and becomes a leak suspect after --leak-age; the churner holds a handful
# and never does.
# Closing the pipes brings the hoarder back down (frees are seen); the
# churner's exit shows on its row; nothing stays attached.
# raw_tp: yes
. tests/integ/lib.sh
need_root
need_cmd jq
need_tp kmalloc
need_tp kmem_cache_free
[ -x "$WL/mem_hoard" ] || skip "workload $WL/mem_hoard not built"

N=120
: > "$TMPD/h.out"; : > "$TMPD/c.out"
"$WL/mem_hoard" hoard $N 50 > "$TMPD/h.out" &
H=$!
"$WL/mem_hoard" churn $N 50 > "$TMPD/c.out" &
C=$!
wait_for ready "$TMPD/h.out" 5 && wait_for ready "$TMPD/c.out" 5 ||
	{ kill $H $C; bad "workloads did not start"; finish; }
start_ktop --panes memory --mem-mode kernel -p $H -p $C --leak-age 2 -d 0.5 -n 80 ||
	{ kill $H $C; bad "ktop did not start"; finish; }
kill -USR1 $H $C
wait_for "done $N" "$TMPD/h.out" 40 && wait_for "done $N" "$TMPD/c.out" 10 ||
	bad "workloads did not finish"
sleep 1.5
kill -USR1 $H $C			# close everything
wait_for closed "$TMPD/h.out" 10 || bad "hoarder did not close its pipes"
sleep 2
kill $C; wait $C 2>/dev/null		# the churner exits: its row says so
sleep 2
# the programs and links ktop holds, by id, to check they are gone after it
ids=$(grep -h '^prog_id:' /proc/$KTOP_PID/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -u)
links=$(grep -h '^link_id:' /proc/$KTOP_PID/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -u)
loaded=$(echo $ids | wc -w)
kill -INT $KTOP_PID; wait $KTOP_PID; rc=$?
kill $H; wait $H 2>/dev/null
assert_eq "ktop exit status" 0 $rc
J=$TMPD/out.json
jq -e . "$J" > /dev/null || bad "output is not JSON lines"
assert_eq "mode" kernel "$(head -1 $J | jq -r .memory.mode)"
echo "  attach: $(head -1 $J | jq -r .memory.attach)"
rows() { jq -c --argjson p $1 '[.memory.rows[] | select(.pid == $p)] | .[0] // empty' "$J"; }

h_max=$(rows $H | jq -s 'map(.outstanding_allocs) | max')
echo "  hoarder: peak $h_max outstanding allocations for $N pipes ($(rows $H | jq -s 'map(.outstanding_bytes) | max') bytes)"
assert_range "hoarder outstanding allocations (peak) >= N" $N 100000 "$h_max"
assert_eq "hoarder is a leak suspect" true "$(rows $H | jq -s 'map(.suspect) | any')"
check "hoarder's growth is positive" \
	test "$(rows $H | jq -s 'map(.growth_bytes_per_s) | max > 0')" = true
assert_range "hoarder's intervals with a new high (max of 10)" 6 10 "$(rows $H | jq -s 'map(.highs) | max')"
pipe_stacks=$(jq --argjson p $H '[.memory.stacks[] | select(.pid == $p) |
	select(.frames | any(test("pipe")))] | length' "$J" | sort -n | tail -1)
assert_range "hoarder's stacks through pipe code (max per line)" 1 100 "$pipe_stacks"
# slab sites are call sites (the stack is one seen there): one stack each,
# starting at its call site. A call site's sampled paths (stack_is
# "sampled: ...", one in KTOP_MEM_SAMPLE_EVERY allocations) start there too,
# by design: they are not a second site.
dups=$(jq --argjson p $H '[.memory.stacks[] | select(.pid == $p and .kind == "slab") |
	select((.stack_is // "") | startswith("sampled") | not) | .frames[0]] |
	length - (unique | length)' "$J" | sort -n | tail -1)
assert_eq "hoarder's slab stacks sharing a call site (max per line)" 0 "${dups:-0}"
nostack=$(jq --argjson p $H '[.memory.stacks[] | select(.pid == $p and .kind == "slab") |
	select(.frames[0] == "[no stack]")] | length' "$J" | sort -n | tail -1)
assert_eq "hoarder's slab stacks without their call site (max per line)" 0 "${nostack:-0}"
h_frees=$(rows $H | jq -s 'map(.frees) | add')
assert_range "hoarder frees seen after closing" $N 100000 "$h_frees"
h_last=$(jq -c --argjson p $H '.memory.rows[] | select(.pid == $p) | .outstanding_allocs' "$J" | tail -1)
assert_range "hoarder outstanding at the end (<= 10% of peak)" 0 $((h_max / 10)) "${h_last:-0}"

c_max=$(rows $C | jq -s 'map(.outstanding_allocs) | max')
echo "  churner: peak $c_max outstanding allocations"
assert_range "churner outstanding allocations (peak) < N/4" 0 $((N / 4)) "$c_max"
assert_eq "churner is never a suspect" false "$(rows $C | jq -s 'map(.suspect) | any')"
assert_range "churner frees seen" $N 100000 "$(rows $C | jq -s 'map(.frees) | add')"
assert_eq "churner's row says it exited" true "$(rows $C | jq -s 'map(.exited) | any')"

last=$(tail -1 $J)
for k in untracked untracked_total tracked capacity missed_frees_total; do
	check "memory.$k is a number" test "$(jq ".memory.$k | type" <<<"$last")" = '"number"'
done
check "programs were loaded while it ran ($loaded)" test "$loaded" -gt 0
left=0
for id in $ids; do bpftool prog show id $id > /dev/null 2>&1 && left=$((left + 1)); done
for id in $links; do bpftool link show id $id > /dev/null 2>&1 && left=$((left + 1)); done
assert_eq "programs and links of this ktop still there after it exited" 0 $left

# --mem-stacks always: every allocation's stack, sites by stack: the two
# files of a pipe (alloc_file_pseudo, alloc_file_clone) are two stacks at
# the one call site alloc_empty_file
: > "$TMPD/h2.out"
"$WL/mem_hoard" hoard 20 20 > "$TMPD/h2.out" &
H2=$!
wait_for ready "$TMPD/h2.out" 5 || { kill $H2; bad "second hoarder did not start"; finish; }
start_ktop --panes memory --mem-mode kernel --mem-stacks always -p $H2 -d 0.3 -n 12 ||
	{ kill $H2; bad "ktop --mem-stacks always did not start"; finish; }
kill -USR1 $H2
wait_for "done 20" "$TMPD/h2.out" 10 || bad "second hoarder did not finish"
wait $KTOP_PID; rc=$?
kill $H2; wait $H2 2>/dev/null
assert_eq "ktop --mem-stacks always exit status" 0 $rc
dups=$(jq --argjson p $H2 '[.memory.stacks[] | select(.pid == $p and .kind == "slab") | .frames[0]] |
	length - (unique | length)' "$TMPD/out.json" | sort -n | tail -1)
assert_range "--mem-stacks always: slab stacks sharing a call site (max per line)" 1 100 "${dups:-0}"
assert_range "--mem-stacks always: hoarder outstanding allocations (peak)" 20 100000 \
	"$(jq -c --argjson p $H2 '.memory.rows[] | select(.pid == $p) | .outstanding_allocs' "$TMPD/out.json" |
	   sort -n | tail -1)"
finish
