# Shared helpers for integration tests (sourced). Each test is a bash script
# tests/integ/test_*.sh that exits 0 (pass), 1 (fail) or 77 (skip, after
# printing "SKIP: reason"). Run from the project root by tests/integ/run.sh.
set -u
KTOP=${KTOP:-./ktop}
WL=${WL:-build/workloads}
TMPD=$(mktemp -d /tmp/ktop-integ.XXXXXX)
trap 'rm -rf "$TMPD"' EXIT
fails=0

skip() { echo "SKIP: $*"; exit 77; }
need_root() { [ "$(id -u)" = 0 ] || skip "needs root to load BPF programs"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || skip "needs $1"; }
need_tp() {	# need_tp TRACEPOINT: skip when the kernel's BTF lacks it
	bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -q "'btf_trace_$1'" ||
		skip "kernel has no tracepoint $1"
}

ok() { echo "  ok: $*"; }
# skip_check DESC WHY: a check whose condition this machine did not produce;
# run.sh counts each one as a skip and prints it in the summary.
skip_check() { echo "  SKIP-CHECK: $1: skipped: $2"; }
bad() { echo "  FAIL: $*"; fails=$((fails + 1)); }
# check DESC EXPR...: pass when the command succeeds
check() { local d=$1; shift; if "$@" >/dev/null; then ok "$d"; else bad "$d"; fi; }
assert_eq() { if [ "$2" = "$3" ]; then ok "$1 = $3"; else bad "$1: expected $2, got $3"; fi; }
# assert_range DESC LOW HIGH VALUE (integers or decimals)
assert_range() {
	if awk -v l="$2" -v h="$3" -v v="$4" 'BEGIN { exit !(v >= l && v <= h) }'; then
		ok "$1 = $4 in [$2, $3]"
	else
		bad "$1 = $4 not in [$2, $3]"
	fi
}
# wait_for PATTERN FILE SECONDS: until a line of FILE matches (a workload's "ready"); 0/1.
wait_for() {
	local i
	for i in $(seq 1 $(($3 * 20))); do
		grep -q "$1" "$2" && return 0
		sleep 0.05
	done
	return 1
}
finish() { [ "$fails" = 0 ] && exit 0; echo "  $fails check(s) failed"; exit 1; }

# Number of BPF programs loaded in the system right now.
prog_count() { bpftool prog show 2>/dev/null | grep -c '^[0-9]*:'; }
# Programs of ktop's own (by name) still loaded.
ktop_progs() { bpftool prog show 2>/dev/null | grep -cE 'name (sys_enter|sys_exit|io_|lock_|mem_|kmalloc|kfree|kmem_|mm_page|contention|block_|slow_|sched_process|malloc|free_|uprobe_|uret)' ; }

# Start ktop in the background writing JSON lines to $TMPD/out.json; waits
# until it has attached (first line printed needs one interval, so we wait
# for the process to have opened its BPF programs instead).
start_ktop() {	# start_ktop ARGS...
	"$KTOP" -b --json "$@" > "$TMPD/out.json" 2> "$TMPD/err.txt" &
	KTOP_PID=$!
	local i
	for i in $(seq 1 100); do
		[ -s "$TMPD/out.json" ] && return 0
		kill -0 "$KTOP_PID" 2>/dev/null || { cat "$TMPD/err.txt"; return 1; }
		sleep 0.05
	done
	return 0
}

# IDs of the BPF programs process $1 holds (programs and links, from fdinfo).
prog_ids_of() { grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -u; }
# How many of the program IDs given still exist in the kernel, after giving
# the kernel up to 3 s: programs are freed asynchronously after the last fd closes.
progs_alive() {
	local n id i
	for i in $(seq 1 30); do
		n=0
		for id in "$@"; do bpftool prog show id "$id" >/dev/null 2>&1 && n=$((n + 1)); done
		[ $n = 0 ] && break
		sleep 0.1
	done
	echo $n
}
# Wait until process $1 holds at least one BPF program (ktop attached); 0/1.
wait_attached() {
	local i
	for i in $(seq 1 100); do
		[ -n "$(prog_ids_of "$1")" ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
