#!/bin/bash
# The vmtest checks, run inside the guest by /init: every tab of ktop in
# batch JSON mode against a known workload, for each attach flavour in
# $FLAVOURS (auto: ktop's choice; raw_tp: KTOP_FORCE_RAW_TP=1; tid_hash:
# KTOP_FORCE_TID_HASH=1, start times in the thread-id hash), the tabs in
# $TABS (default: syscalls locks memory io). Prints one
#   @@R TAB FLAVOUR ATTACH RESULT DETAIL
# line per check (RESULT: PASS, FAIL or DISABLED), the stderr of `ktop -v`
# as @@E lines, and the assertions as they run. Counts are exact, as in
# tests/integ; latencies are not checked (the emulator's clock is slow).
# Outside a VM (to try the checks themselves): LIB=tests/integ/lib.sh
# KTOP=./ktop WL=build/workloads bash tests/vm/guest/checks.sh
VMKTOP=${KTOP:-/usr/local/bin/ktop} VMWL=${WL:-/vmtest/wl}
# shellcheck source=tests/integ/lib.sh
. "${LIB:-/vmtest/integ/lib.sh}"
KTOP=$VMKTOP WL=$VMWL
ATTACH_TIMEOUT=${ATTACH_TIMEOUT:-180}	# seconds: the verifier is slow under TCG
FLAVOURS=${FLAVOURS:-auto raw_tp}

# start_ktop ARGS: like tests/integ's, but waits until ktop printed its first
# interval (it is attached then) for as long as the emulator needs.
start_ktop() {
	"$KTOP" -b --json "$@" > "$TMPD/out.json" 2> "$TMPD/err.txt" &
	KTOP_PID=$!
	for _ in $(seq 1 $((ATTACH_TIMEOUT * 10))); do
		[ -s "$TMPD/out.json" ] && return 0
		kill -0 "$KTOP_PID" 2>/dev/null || { wait "$KTOP_PID"; return 1; }
		sleep 0.1
	done
	echo "  ktop did not print an interval in ${ATTACH_TIMEOUT}s"
	return 1
}
stop_ktop() {	# stop_ktop SIGNAL: 0 when ktop exited 0 and left no program behind
	local ids rc
	ids=$(prog_ids_of "$KTOP_PID")
	PROGS=$(for id in $ids; do bpftool prog show id "$id" 2>/dev/null | head -1 |
		awk '{ print $2 }'; done | sort | uniq -c | awk '{ printf "%s%s*%s", s, $2, $1; s = "," }')
	kill -"$1" "$KTOP_PID"; wait "$KTOP_PID"; rc=$?
	KTOP_PID=
	assert_eq "ktop exit status after SIG$1" 0 $rc
	# shellcheck disable=SC2086
	assert_eq "ktop's BPF programs left after exit" 0 "$(progs_alive $ids)"
}
wait_for() {	# wait_for PATTERN FILE SECONDS
	for _ in $(seq 1 $(($3 * 10))); do grep -q "$1" "$2" && return 0; sleep 0.1; done
	return 1
}
# report TAB: the @@R line of a check from $fails, the JSON and ktop's stderr
report() {
	local tab=$1 key=$2 attach src dis res detail
	attach=$(jq -r ".$key.attach // empty" "$TMPD/out.json" 2>/dev/null | sort -u | paste -sd/)
	# the event source where a tab says it (Locks: tracepoints or slow paths)
	src=$(jq -r ".$key.source // empty" "$TMPD/out.json" 2>/dev/null | sort -u | paste -sd/)
	[ -n "$src" ] && attach="${attach:-?}:$(tr ' ' _ <<< "$src")"
	dis=$(jq -r ".$key.disabled // empty" "$TMPD/out.json" 2>/dev/null | head -1)
	[ -z "$dis" ] && dis=$(grep -m1 -E "$key tab disabled|no collector" "$TMPD/err.txt" 2>/dev/null)
	if [ -n "$dis" ]; then
		res=DISABLED detail=$dis
	elif [ "$fails" = 0 ]; then
		res=PASS detail=$DETAIL
	else
		res=FAIL detail="$FIRST_FAIL; $DETAIL"
	fi
	[ -n "${PROGS:-}" ] && detail="$detail [progs ${PROGS}]"
	echo "@@R $tab $FLAVOUR ${attach:--} $res $(tr -cd '[:print:]' <<< "$detail" | cut -c1-300)"
	if [ "$res" != PASS ]; then
		echo "  ktop stderr:"; sed 's/^/    /' "$TMPD/err.txt" | head -40
	fi
}
bad() { echo "  FAIL: $*"; fails=$((fails + 1)); [ -n "$FIRST_FAIL" ] || FIRST_FAIL=$*; }
begin() { fails=0 FIRST_FAIL='' DETAIL='' PROGS='' KTOP_PID=''; : > "$TMPD/out.json"; : > "$TMPD/err.txt"; echo "== $1 ($FLAVOUR)"; }
cleanup() {
	[ -n "${KTOP_PID:-}" ] && kill "$KTOP_PID" 2>/dev/null
	# shellcheck disable=SC2046
	kill $(jobs -p) 2>/dev/null
	rm -rf "$TMPD"
}

check_syscalls() {
	local N=20001 K=20 L=20 M=333 J=$TMPD/out.json WPID
	begin syscalls
	rm -f "$TMPD/go" "$TMPD/done"; mkfifo "$TMPD/go"
	"$WL/sc_known" $N $K $L $M "$TMPD/go" "$TMPD/done" & WPID=$!
	if ! start_ktop -p $WPID -d 0.5 --panes syscalls; then
		bad "ktop did not start"; kill $WPID; report syscalls syscalls; return
	fi
	echo x > "$TMPD/go"
	for _ in $(seq 1 1200); do [ -e "$TMPD/done" ] && break; sleep 0.1; done
	check "workload finished" test -e "$TMPD/done"
	sleep 1.5
	stop_ktop TERM
	kill $WPID; wait $WPID 2>/dev/null	# it sleeps until killed
	sum() { jq -s "[.[].syscalls.rows[] | select(.name == \"$1\") | .$2] | add // 0" "$J"; }
	assert_eq "getppid count" $N "$(sum getppid count)"
	assert_eq "getppid errors" 0 "$(sum getppid errors)"
	assert_eq "clock_nanosleep count" $K "$(sum clock_nanosleep count)"
	assert_eq "close count" $M "$(sum close count)"
	assert_eq "close errors" $M "$(sum close errors)"
	check "p50 <= p95 <= p99 <= max in every row" jq -se \
		'all(.[].syscalls.rows[]; .p50_ns <= .p95_ns and .p95_ns <= .p99_ns and .p99_ns <= .max_ns)' "$J"
	check "only the -p process in processes" jq -se "all(.[].syscalls.processes[]; .pid == $WPID)" "$J"
	# in flight: after its calls sc_known waits in pause() until killed,
	# for the last intervals (task storage or, before 5.12, the tid hash)
	local ifl
	ifl=$(jq -rs "last.syscalls.in_flight | .unavailable // ([.rows[] | select(.pid == $WPID) | .syscall] | first // \"none\")" "$J")
	assert_eq "in flight: the workload's pause() in the last interval" pause "$ifl"
	DETAIL="getppid $(sum getppid count)/$N close $(sum close count)/$M sleeps $(sum clock_nanosleep count)/$K in-flight $ifl"
	report syscalls syscalls
}

# lock_phase NAME WORKLOAD THREADS SECS: the workload under ktop -> $TMPD/NAME.json
lock_phase() {
	local name=$1 wl=$2 nthr=$3 secs=$4
	rm -f "$TMPD/go" "$TMPD/done"; mkfifo "$TMPD/go"
	"$WL/$wl" "$nthr" "$secs" "$TMPD/go" "$TMPD/done" > "$TMPD/wl.out" & WPID=$!
	if ! start_ktop --panes locks -d 1; then
		bad "$name: ktop did not start"; kill $WPID; echo x > "$TMPD/go" & return 1
	fi
	echo x > "$TMPD/go"
	wait $WPID
	check "$name: workload finished" test -e "$TMPD/done"
	sleep 2
	stop_ktop TERM
	cp "$TMPD/out.json" "$TMPD/$name.json"
}
check_locks() {
	local W J top tl try
	begin locks
	if lock_phase mmap lock_mmap 4 5; then
		W=$WPID J=$TMPD/mmap.json
		jq -s '[.[].locks.rows[]] | group_by(.addr + " " + .type) |
			map({addr: .[0].addr, type: .[0].type, symbol: .[0].symbol,
			     contentions: (map(.contentions) | add), wait: (map(.total_wait_ns) | add),
			     top_caller: .[0].top_caller}) | sort_by(-.wait)' "$J" > "$TMPD/sum.json"
		echo "  workload: $(cat "$TMPD/wl.out"); hottest: $(jq -c '.[0]' "$TMPD/sum.json")"
		top=$(jq -r '.[0].symbol' "$TMPD/sum.json")
		assert_eq "hottest lock of lock_mmap" "mmap_lock (pid $W)" "$top"
		# its side is not checked: on 5.10 munmap downgrades to a read
		# hold and the page faults queue as readers (rwsem:r hottest)
		DETAIL="hottest: $top $(jq -r '.[0].type' "$TMPD/sum.json") ($(jq -r '.[0].contentions' "$TMPD/sum.json") contentions)"
	else
		report locks locks; return
	fi
	if grep -qE '^[0-9a-f]+ [dDbB] tasklist_lock$' /proc/kallsyms; then
		# whether two CPUs collide on tasklist_lock is chance: up to 3 storms
		tl='[.[].locks.rows[] | select(.symbol == "tasklist_lock")]'
		for try in 1 2 3; do
			lock_phase fork lock_fork 4 3 || break
			echo "  fork storm $try: $(cat "$TMPD/wl.out")"
			jq -se "$tl | length > 0" "$TMPD/fork.json" >/dev/null && break
		done
		echo "  tasklist_lock rows: $(jq -sc "$tl | map({type, contentions, top_caller})" "$TMPD/fork.json")"
		check "fork storm: tasklist_lock named" jq -se "$tl | length > 0" "$TMPD/fork.json"
		DETAIL="$DETAIL; fork storm: tasklist_lock $(jq -s "$tl | map(.contentions) | add // 0" "$TMPD/fork.json") contentions"
	else
		DETAIL="$DETAIL; no data symbols in kallsyms: tasklist_lock not checked"
	fi
	report locks locks
}

check_memory() {
	local N=120 H C J=$TMPD/out.json
	begin memory
	: > "$TMPD/h.out"; : > "$TMPD/c.out"
	"$WL/mem_hoard" hoard $N 50 > "$TMPD/h.out" & H=$!
	"$WL/mem_hoard" churn $N 50 > "$TMPD/c.out" & C=$!
	if ! { wait_for ready "$TMPD/h.out" 20 && wait_for ready "$TMPD/c.out" 20; }; then
		bad "workloads did not start"; kill $H $C; report memory memory; return
	fi
	if ! start_ktop --panes memory --mem-mode kernel -p $H -p $C --leak-age 2 -d 0.5; then
		bad "ktop did not start"; kill $H $C; report memory memory; return
	fi
	kill -USR1 $H $C
	wait_for "done $N" "$TMPD/h.out" 120 && wait_for "done $N" "$TMPD/c.out" 60 ||
		bad "workloads did not finish"
	sleep 4					# past --leak-age: the hoarder is old enough
	stop_ktop INT
	kill $H $C; wait $H $C 2>/dev/null
	rows() { jq -c --argjson p $1 '[.memory.rows[] | select(.pid == $p)] | .[0] // empty' "$J"; }
	local hmax cmax
	hmax=$(rows $H | jq -s 'map(.outstanding_allocs) | max // 0')
	cmax=$(rows $C | jq -s 'map(.outstanding_allocs) | max // 0')
	assert_range "hoarder outstanding allocations (peak) >= N" $N 100000 "$hmax"
	assert_eq "hoarder is a leak suspect" true "$(rows $H | jq -s 'map(.suspect) | any')"
	assert_range "churner outstanding allocations (peak) < N/4" 0 $((N / 4)) "$cmax"
	assert_eq "churner is never a suspect" false "$(rows $C | jq -s 'map(.suspect) | any')"
	DETAIL="hoarder peak $hmax (N=$N) suspect=$(rows $H | jq -s 'map(.suspect) | any'); churner peak $cmax suspect=$(rows $C | jq -s 'map(.suspect) | any')"
	report memory memory
}

check_io() {
	local W=2000 R=2000 BS=4096 LOOP DEV J=$TMPD/out.json WPID r0 w0 r1 w1 n
	begin io
	truncate -s 64M "$TMPD/disk.img"
	if ! LOOP=$(losetup -f --show "$TMPD/disk.img" 2>"$TMPD/losetup.err"); then
		bad "no loop device: $(cat "$TMPD/losetup.err")"; report io io; return
	fi
	DEV=${LOOP#/dev/}
	statf() { awk -v f="$2" '{ print $f }' "/sys/block/$1/stat"; }
	if ! start_ktop --panes io -d 0.5; then
		bad "ktop did not start"; losetup -d "$LOOP"; report io io; return
	fi
	r0=$(statf "$DEV" 1) w0=$(statf "$DEV" 5)
	"$WL/io_direct" "$LOOP" $W $R & WPID=$!
	wait $WPID
	assert_eq "workload exit status" 0 $?
	r1=$(statf "$DEV" 1) w1=$(statf "$DEV" 5)
	n=$(wc -l < "$J")
	for _ in $(seq 1 100); do [ "$(wc -l < "$J")" -ge $((n + 2)) ] && break; sleep 0.1; done
	stop_ktop TERM
	losetup -d "$LOOP"
	sum() { jq -s "[.[].io.rows[] | select(.disk == \"$DEV\" and .op == \"$1\") | .$2] | add // 0" "$J"; }
	local who
	who=$(jq -s "[.[].io.processes[] | select(.disk == \"$DEV\" and .pid == $WPID) | .count] | add // 0" "$J")
	assert_eq "stat: reads completed" $R $((r1 - r0))
	assert_eq "stat: writes completed" $W $((w1 - w0))
	assert_eq "ktop: read count" $R "$(sum read count)"
	assert_eq "ktop: write count" $W "$(sum write count)"
	assert_eq "ktop: read bytes" $((R * BS)) "$(sum read bytes)"
	assert_eq "ktop: write bytes" $((W * BS)) "$(sum write bytes)"
	assert_eq "processes: io_direct's requests on $DEV" $((R + W)) "$who"
	check "processes: comm of the workload" jq -se \
		"all(.[].io.processes[] | select(.pid == $WPID); .comm == \"io_direct\")" "$J"
	DETAIL="reads $(sum read count)/$R writes $(sum write count)/$W; to io_direct $who/$((R + W))"
	report io io
}

trap cleanup EXIT
echo "@@INFO ktop $("$KTOP" --version 2>&1 | head -1)"
echo "@@INFO kallsyms data symbols: $(grep -cE ' [dDbB] (jiffies|tasklist_lock)$' /proc/kallsyms)"
before=$(prog_count)
# what ktop says on this kernel, every tab, in full (-v)
"$KTOP" -v -b --json -n 1 -d 1 > "$TMPD/v.json" 2> "$TMPD/v.err"
echo "@@INFO ktop -v -b --json -n 1: exit $?"
sed 's/^/@@E /' "$TMPD/v.err"
for FLAVOUR in $FLAVOURS; do
	unset KTOP_FORCE_RAW_TP KTOP_FORCE_TID_HASH
	case $FLAVOUR in
	raw_tp) export KTOP_FORCE_RAW_TP=1 ;;
	tid_hash) export KTOP_FORCE_TID_HASH=1 ;;	# as on 5.10: no task storage
	esac
	for tab in ${TABS:-syscalls locks memory io}; do
		"check_$tab"
	done
done
unset KTOP_FORCE_RAW_TP KTOP_FORCE_TID_HASH
FLAVOUR=- fails=0 FIRST_FAIL='' DETAIL='' PROGS=''
after=$(prog_count)
if [ "$before" = "$after" ]; then r=PASS; else r=FAIL; fi
echo "@@R bpf-left - - $r programs loaded before the checks $before, after $after"
