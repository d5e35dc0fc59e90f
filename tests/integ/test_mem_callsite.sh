#!/bin/bash
# Memory tab, kernel mode, shared call sites: a process execs (under ktop)
# and then leaks N pipes (pipe2) and N eventfds. alloc_empty_file() serves
# exec, pipe2 and eventfd alike; the stacks shown for the process must name
# the paths that hold the memory (do_pipe2/create_pipe_files, do_eventfd),
# each with its share, never credit the leak to the exec path, and mark
# call-site stacks as estimated shares or examples.
. tests/integ/lib.sh
need_root
need_cmd jq
N=1500
"$WL/mem_fdleak" $N 500 > "$TMPD/wl.out" &
WP=$!
trap 'kill $WP $KTOP_PID 2>/dev/null; rm -rf "$TMPD"' EXIT
for i in $(seq 1 100); do grep -q ready "$TMPD/wl.out" && break; sleep 0.05; done
start_ktop --panes memory -d 1 || { bad "ktop did not start"; finish; }
sleep 1
kill -USR1 $WP
for i in $(seq 1 200); do grep -q done "$TMPD/wl.out" && break; sleep 0.05; done
check "workload leaked $N pairs" grep -q "done $N" "$TMPD/wl.out"
sleep 2.5				# two more intervals
kill -TERM $KTOP_PID; wait $KTOP_PID
J=$TMPD/out.json
last=$(jq -c "select(.memory.stacks) | [.memory.stacks[] | select(.pid == $WP)]" "$J" | tail -1)
frames() { jq -r '.[] | select(.outstanding_allocs > 0) | .frames | join(" ")' <<<"$last"; }
check "a stack through pipe2 holds memory" grep -qE 'do_pipe2|create_pipe_files' <<<"$(frames)"
check "a stack through eventfd holds memory" grep -q 'do_eventfd' <<<"$(frames)"
# the exec path holds a handful of objects (the executable's file), never the leak
execs=$(jq '[.[] | select(.frames | join(" ") | test("execve|do_open_execat|alloc_bprm")) | .outstanding_allocs] | add // 0' <<<"$last")
assert_range "outstanding credited to the exec path" 0 50 "$execs"
# alloc_empty_file: 2 files per pipe, 1 per eventfd, split by path
aef=$(jq '[.[] | select(.frames[0] | startswith("alloc_empty_file")) | .outstanding_allocs] | add // 0' <<<"$last")
assert_range "alloc_empty_file outstanding over its paths" $((N * 3 * 9 / 10)) $((N * 3 * 11 / 10 + 20)) "$aef"
ev=$(jq '[.[] | select(.frames[0] | startswith("alloc_empty_file")) | select(.frames | join(" ") | test("do_eventfd")) | .outstanding_allocs] | add // 0' <<<"$last")
assert_range "eventfd's share of alloc_empty_file" $((N * 7 / 10)) $((N * 13 / 10)) "$ev"
check "call-site stacks say what they are" jq -e \
	'all(.[] | select(.call_site_outstanding_bytes); .stack_is | startswith("sampled") or startswith("example"))' <<<"$last"
finish
