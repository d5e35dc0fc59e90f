#!/bin/bash
# Syscall names come from the kernel's own tables committed in
# scripts/syscalls/, not from the build machine's headers: a workload calls
# cachestat (451 on x86_64 and arm64, Linux 6.5+; Debian 12's headers stop at
# 450) N times and the JSON row of that number must be named "cachestat",
# with exactly N calls. With user-mode Memory, ktop's own uretprobes return
# through the uretprobe syscall (x86_64, 6.11+) in the target: that row must
# be marked as ktop's own (ktop_probes).
. tests/integ/lib.sh
need_root
need_cmd jq
N=777 NR=451
mkfifo "$TMPD/go"
"$WL/sc_nr" $NR $N "$TMPD/go" "$TMPD/done" &
WPID=$!
trap 'kill $WPID $KTOP_PID 2>/dev/null; rm -rf "$TMPD"' EXIT
start_ktop -p $WPID -d 0.5 --panes syscalls || { bad "ktop did not start"; finish; }
echo x > "$TMPD/go"
for i in $(seq 1 100); do [ -e "$TMPD/done" ] && break; sleep 0.05; done
check "workload finished" test -e "$TMPD/done"
sleep 1.2
kill -TERM $KTOP_PID; wait $KTOP_PID
J=$TMPD/out.json
assert_eq "calls of syscall $NR" $N "$(jq -s "[.[].syscalls.rows[] | select(.nr == $NR) | .count] | add // 0" "$J")"
assert_eq "name of syscall $NR" '"cachestat"' \
	"$(jq -sc "[.[].syscalls.rows[] | select(.nr == $NR) | .name] | unique | .[0]" "$J")"
check "no syscall_N names" jq -se 'all(.[].syscalls.rows[]; (.name | startswith("syscall_")) | not)' "$J"
kill $WPID; wait $WPID 2>/dev/null

# ktop's own uretprobes, labelled (x86_64 kernels with the uretprobe syscall)
if [ "$(uname -m)" != x86_64 ]; then
	echo "  (uretprobe syscall is x86_64 only: label check not run)"
	finish
fi
[ -x "$WL/mem_leaky" ] || { bad "workload $WL/mem_leaky not built"; finish; }
"$WL/mem_leaky" 200 5 > "$TMPD/wl.out" &
WPID=$!
for i in $(seq 1 100); do grep -q ready "$TMPD/wl.out" && break; sleep 0.05; done
start_ktop -p $WPID -d 0.5 -n 8 --panes syscalls,memory --mem-mode user ||
	{ bad "ktop did not start"; finish; }
kill -USR1 $WPID
wait $KTOP_PID
u=$(jq -s '[.[].syscalls.rows[] | select(.nr == 335)] | length' "$J")
if [ "$u" = 0 ]; then
	echo "  (no uretprobe syscalls seen: kernel returns from uretprobes by a trap; label check not run)"
else
	check "syscall 335 named uretprobe and marked as ktop's probes" jq -se \
		'all(.[].syscalls.rows[] | select(.nr == 335); .name == "uretprobe" and .ktop_probes == true)' "$J"
	check "no other row marked" jq -se \
		'all(.[].syscalls.rows[] | select(.nr != 335 and .nr != 336); .ktop_probes != true)' "$J"
fi
finish
