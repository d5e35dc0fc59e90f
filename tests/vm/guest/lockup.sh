#!/bin/bash
# The soft-lockup hunt (issue 13), run in the guest by /init: N starts and
# stops of ktop with every tab, under a light background load, booted with
# softlockup_panic=1 (a lockup panics the VM with its stack on the console).
# Each start is one of: batch -n 1 to the end; batch killed by SIGINT or
# SIGTERM at a random point of start-up; the dashboard (in a pty) killed
# the same way. One "@@L" line per start; after each, ktop's programs must
# be gone and no lockup/hung-task line in the kernel log. ktop must exit 0
# (128 + the signal when it came before ktop installed its handlers).
n=${1:-100}
KTOP=/usr/local/bin/ktop
WL=/vmtest/wl
seed=${SEED:-$(date +%s)}
RANDOM=$seed
echo "@@L seed $seed, $n starts, watchdog_thresh $(cat /proc/sys/kernel/watchdog_thresh)"
prog_count() { bpftool prog show 2>/dev/null | grep -c '^[0-9]*:'; }
base=$(prog_count)
# background load: system calls and forks all the time, so the programs
# attach and detach while they fire
( while :; do "$WL/getppid_loop" 200000 > /dev/null; done ) &
bg1=$!
( while :; do "$WL/lock_fork" 1 2 > /dev/null; sleep 1; done ) &
bg2=$!
trap 'kill $bg1 $bg2 2>/dev/null' EXIT
fails=0 lockups=0 t0=$SECONDS
for i in $(seq 1 "$n"); do
	mode=$((RANDOM % 5)) delay_ms=$((RANDOM % 8000)) s=$SECONDS rc=
	case $mode in
	0) how="batch -n 1"
	   timeout 300 "$KTOP" -b --json -n 1 -d 0.5 > /tmp/l.json 2> /tmp/l.err; rc=$? ;;
	1|2) sig=$( [ $mode = 1 ] && echo INT || echo TERM ); how="batch SIG$sig after ${delay_ms}ms"
	   "$KTOP" -b --json -d 0.5 > /tmp/l.json 2> /tmp/l.err & p=$!
	   sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
	   kill -$sig $p 2>/dev/null
	   for _ in $(seq 1 600); do kill -0 $p 2>/dev/null || break; sleep 0.5; done
	   kill -0 $p 2>/dev/null && { echo "@@L ktop $p still running 300 s after SIG$sig"; kill -KILL $p; }
	   wait $p; rc=$? ;;
	*) sig=$( [ $mode = 3 ] && echo INT || echo TERM ); how="dashboard SIG$sig after ${delay_ms}ms"
	   TERM=xterm script -qfec "$KTOP -d 0.5" /dev/null > /tmp/l.tty 2>&1 < /dev/null & sp=$!
	   sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
	   p=$(pgrep -x -P $sp ktop || pgrep -nx ktop)
	   [ -n "$p" ] && kill -$sig $p 2>/dev/null
	   for _ in $(seq 1 600); do kill -0 $sp 2>/dev/null || break; sleep 0.5; done
	   kill -0 $sp 2>/dev/null && { echo "@@L dashboard still running 300 s after SIG$sig"; kill -KILL $sp $p; }
	   wait $sp; rc=$? ;;
	esac
	for _ in $(seq 1 50); do [ "$(prog_count)" -le "$base" ] && break; sleep 0.1; done
	left=$(( $(prog_count) - base ))
	k=$(dmesg | grep -cE 'soft lockup|hung_task|blocked for more than|rcu_sched self-detected|BUG:|WARNING:')
	[ "$k" -gt "$lockups" ] && { echo "@@L kernel log:"; dmesg | grep -E -A30 'soft lockup|blocked for more|self-detected|BUG:|WARNING:' | tail -60; lockups=$k; }
	# exit status: 0 (done or stopped by a signal it handles); a batch -n 1
	# may also have been stopped before its first interval
	# a signal that comes before ktop installed its handlers ends it the
	# default way (128 + signal): fine, as long as nothing is left behind
	ok=yes
	case "$how:$rc" in
	*:0) ;;
	*SIGINT*:130|*SIGTERM*:143) how="$how (before its handlers)" ;;
	*) ok=no ;;
	esac
	[ "$left" = 0 ] || ok=no
	[ $ok = yes ] || fails=$((fails + 1))
	echo "@@L $i/$n $how: exit $rc, $((SECONDS - s)) s, programs left $left, kernel warnings $k $( [ $ok = yes ] || { echo "PROBLEM: $(head -c 300 /tmp/l.err | tr -cd '[:print:] ')"; } )"
done
echo "@@L done: $n starts in $((SECONDS - t0)) s, $fails with a problem, kernel lockup/hung/BUG/WARNING lines: $lockups"
