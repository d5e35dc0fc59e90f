#!/bin/bash
# Control for the soft-lockup hunt (lockup.sh), run in the guest by /init:
# the same background load, but instead of starting ktop, switch on and off
# through tracefs (no BPF at all) the tracepoints ktop attaches to, so the
# kernel patches the same static keys (text_poke_bp) in the same hot paths
# (__alloc_pages, kmalloc, syscall entry). N rounds (default 2000) or until
# SECS seconds (default 600) have passed. One "@@T" line per 50 rounds.
n=${1:-2000} secs=${2:-600}
WL=/vmtest/wl
T=/sys/kernel/tracing/events
EV="raw_syscalls/sys_enter raw_syscalls/sys_exit kmem/kmalloc kmem/kfree
kmem/kmem_cache_alloc kmem/kmem_cache_free kmem/mm_page_alloc kmem/mm_page_free
block/block_rq_insert block/block_rq_issue block/block_rq_complete
block/block_bio_queue sched/sched_process_exit lock/contention_begin lock/contention_end"
echo "@@T $n rounds or $secs s, watchdog_thresh $(cat /proc/sys/kernel/watchdog_thresh)"
( while :; do "$WL/getppid_loop" 200000 > /dev/null; done ) &
bg1=$!
( while :; do "$WL/lock_fork" 1 2 > /dev/null; sleep 1; done ) &
bg2=$!
trap 'kill $bg1 $bg2 2>/dev/null' EXIT
t0=$SECONDS i=0
while [ $i -lt "$n" ] && [ $((SECONDS - t0)) -lt "$secs" ]; do
	i=$((i + 1))
	for e in $EV; do [ -e "$T/$e/enable" ] && echo 1 > "$T/$e/enable"; done
	sleep 0.2
	for e in $EV; do [ -e "$T/$e/enable" ] && echo 0 > "$T/$e/enable"; done
	[ $((i % 50)) = 0 ] && echo "@@T $i rounds, $((SECONDS - t0)) s, kernel warnings $(dmesg | grep -cE 'soft lockup|rcu.*stall|BUG:|WARNING:')"
done
echo "@@T done: $i rounds in $((SECONDS - t0)) s, kernel lockup/stall/BUG/WARNING lines: $(dmesg | grep -cE 'soft lockup|rcu.*stall|BUG:|WARNING:')"
