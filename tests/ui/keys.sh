#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# How the dashboard behaves as people use it (issue 18, points 7-12, 14,
# 15), on replays of recordings derived from tests/ui/fixtures/all.ndjson
# with jq, so each check sees a known change between records:
#   follow     the selection stays on its row (syscall) across a re-sort,
#              and details on a row that is gone close instead of showing
#              another row
#   escape     Home/End sequences the terminal description does not know
#              (tmux sends ESC [ 1 ~ whatever TERM says) are read whole:
#              mapped, or dropped, never taken for digit keys; Esc alone
#              still goes back
#   -n N       the dashboard exits 0 after N refreshes (replay and live)
#   filter     one '/' rule on every tab (a row's text columns, or the PID
#              or name of a process on it); "no rows match /text"
#   fit        help wraps the leak rule; titles, Memory's user-mode header
#              and the Locks long waits are shortened with an ellipsis, not
#              cut; a flush's sector shows as "-", columns stay aligned
#   pivot      p: TIME% of the process's own time, "-" for percentiles it
#              has no data for, a note and an honest histogram title; -p
#              PID: the header says "pid N only" (live)
#   snapshot   w names the absolute path; a directory that cannot be
#              written is named with --snapshot-dir
#   hist       histogram line edges do not move between records; the
#              replay footer names its keys
#
# Usage: KTOP=build-x/ktop tests/ui/keys.sh
# Prints one line per check, "ok: ..." or "FAIL: ..." (with the screen),
# which tests/ui/run.sh counts; "SKIP: ..." lines are not checks. Exits 1
# on a FAIL. Live checks need root (BPF); they say SKIP otherwise.
cd "$(dirname "$0")/../.." || exit 1
. tests/env.sh
KTOP=$(readlink -f "${KTOP:-./ktop}")
FX=tests/ui/fixtures/all.ndjson
SOCK=ktop-keys-$$
TMPD=$(mktemp -d /tmp/ktop-keys.XXXXXX)
fails=0

T() { tmux -L "$SOCK" -f /dev/null "$@"; }
cleanup() {
	T kill-server 2>/dev/null
	mountpoint -q "$TMPD/ro" 2>/dev/null && umount "$TMPD/ro"
	rm -rf "$TMPD"
}
trap cleanup EXIT
for c in tmux jq; do
	command -v $c >/dev/null || { echo "FAIL: these checks need $c"; exit 1; }
done
[ -x "$KTOP" ] || { echo "FAIL: no ktop binary at $KTOP (set KTOP)"; exit 1; }
T new-session -d -s hold -x 80 -y 24 "sleep 100000" || { echo "FAIL: cannot start tmux"; exit 1; }
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); screen_dump; }
screen_dump() { echo "----- screen -----"; cat "$TMPD/s"; echo "------------------"; }

# start COLSxLINES [DIR] -- ARGS...: ktop ARGS in a new session of that
# size (cwd DIR), in a fixed environment; exit status to $TMPD/status
n=0
start() {
	local size=$1 dir=$PWD
	shift
	if [ "$1" != -- ]; then dir=$1; shift; fi
	shift
	T kill-session -t "k$n" 2>/dev/null
	n=$((n + 1))
	rm -f "$TMPD/status"
	T new-session -d -s "k$n" -c "$dir" -x "${size%x*}" -y "${size#*x}" \
		"env TERM=xterm LC_ALL=C.UTF-8 LANG=C.UTF-8 TZ=UTC $KTOP $*; echo \$? > $TMPD/status; sleep 100"
}
cap() { T capture-pane -p -t "k$n" | sed 's/[[:space:]]*$//' > "$1"; }
# settle [EGREP] [SECS]: until the screen shows EGREP (if given) and stays
# the same for 0.2 s; the screen is in $TMPD/s. 1 on timeout.
settle() {
	local re=${1:-} secs=${2:-10} i
	for i in $(seq 1 $((secs * 5))); do
		cap "$TMPD/a"
		sleep 0.2
		cap "$TMPD/s"
		if cmp -s "$TMPD/a" "$TMPD/s" && { [ -z "$re" ] || grep -qE -- "$re" "$TMPD/s"; }; then
			return 0
		fi
	done
	return 1
}
keys() { T send-keys -t "k$n" "$@"; }
# replay FILE SIZE ARGS...: paused on record 1 of FILE
replay() {
	local f=$1 size=$2 nrec i
	shift 2
	nrec=$(wc -l < "$f")
	start "$size" -- --replay "$f" "$@"
	settle "REPLAY [0-9]+/$nrec" || return 1
	for i in $(seq 1 "$nrec"); do keys Left; done
	settle "REPLAY 1/$nrec +PAUSED"
}
has() { if grep -qE -- "$2" "$TMPD/s"; then ok "$1"; else bad "$1: no /$2/ on screen"; fi; }
hasnt() { if grep -qE -- "$2" "$TMPD/s"; then bad "$1: /$2/ on screen"; else ok "$1"; fi; }
# the title line of the histogram: "name latency (...", "Details: ..."
hist_title() { awk 'NR > 3 && /^(Details: )?[a-z_0-9]+ (latency )?\(/ { print; exit }' "$TMPD/s"; }

R1=$(head -1 "$FX")

# ---- follow: the selection stays on its row --------------------------------
# record 1: by TIME% clock_nanosleep, wait4, read, ...; record 2: read
# first, so wait4 (selected, 2nd) moves to 3rd; record 3: no wait4.
FOLLOW=$TMPD/follow.ndjson
{
	echo "$R1"
	jq -c '(.syscalls.rows[] | select(.name == "read") | .total_ns) = 9000000000' <<<"$R1"
	jq -c 'del(.syscalls.rows[] | select(.name == "wait4"))' <<<"$R1"
} > "$FOLLOW"
if replay "$FOLLOW" 80x24; then
	keys Down
	settle "wait4 latency"
	keys Right
	settle "REPLAY 2/3"
	if hist_title | grep -q "^wait4 latency"; then
		ok "follow: after the re-sort the selection is still wait4"
	else
		bad "follow: after the re-sort the selection is '$(hist_title)', not wait4"
	fi
	keys Enter
	settle "Details: "
	has "follow: Enter opens the followed row" "Details: wait4 "
	keys Right
	settle "REPLAY 3/3"
	hasnt "follow: the details of the gone row do not show another row" "Details: "
	has "follow: the status line says the row is gone" "gone from this interval"
else
	bad "follow: the replay did not pause on record 1"
fi

# ---- escape sequences --------------------------------------------------------
# the tmux Home and End keys are ESC [ 1 ~ and ESC [ 4 ~; with TERM=xterm
# (whose Home is ESC O H) curses does not know them
if replay "$FX" 80x24; then
	keys 3
	settle "LOCK +TYPE"
	keys Home
	settle
	has "escape: Home (ESC [ 1 ~) is not the key 1" "LOCK +TYPE"
	keys 1 End
	settle
	has "escape: End (ESC [ 4 ~) is not the key 4" "SYSCALL +CALLS"
	last=$(jq -r '.syscalls.rows | sort_by(-.total_ns) | .[-1].name' <<<"$R1")
	first=$(jq -r '.syscalls.rows | sort_by(-.total_ns) | .[0].name' <<<"$R1")
	if hist_title | grep -q "^$last latency"; then ok "escape: End selects the last row ($last)"
	else bad "escape: End selected '$(hist_title)', want $last"; fi
	for seq in '\e[1~' '\e[7~' '\e[H' '\eOH'; do
		keys End
		settle
		keys -l "$(printf "$seq")"
		settle
		if hist_title | grep -q "^$first latency"; then ok "escape: $seq is Home"
		else bad "escape: after $seq the selection is '$(hist_title)', want $first"; fi
	done
	for seq in '\e[4~' '\e[8~' '\e[F' '\eOF'; do
		keys Home
		settle
		keys -l "$(printf "$seq")"
		settle
		if hist_title | grep -q "^$last latency" && grep -qE "SYSCALL +CALLS" "$TMPD/s"; then
			ok "escape: $seq is End"
		else
			bad "escape: after $seq the selection is '$(hist_title)', want $last"
		fi
	done
	keys -l "$(printf '\e[2;4~\e[43;2~\e[3$')"
	settle
	has "escape: unknown sequences (ESC [ 2;4 ~ ...) are dropped whole" "SYSCALL +CALLS"
	keys Enter
	settle "Details: "
	keys Escape
	settle
	hasnt "escape: Esc alone still closes the details" "Details: "
	keys / z z Escape
	settle
	hasnt "escape: Esc alone cancels the filter prompt" "filter: |/zz"
else
	bad "escape: the replay did not pause on record 1"
fi

# ---- -n N -------------------------------------------------------------------
wait_status() {	# wait_status SECS: the exit status, or "" after SECS
	local i
	for i in $(seq 1 $(($1 * 10))); do
		[ -s "$TMPD/status" ] && { cat "$TMPD/status"; return; }
		sleep 0.1
	done
}
t0=$(date +%s%N)
start 80x24 -- --replay "$FX" -n 2
st=$(wait_status 8)
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$st" = 0 ] && [ $ms -ge 1500 ]; then
	ok "-n 2: the replay dashboard exits 0 after 2 refreshes (${ms} ms at 1 s a record)"
else
	cap "$TMPD/s"; bad "-n 2 (replay): exit status '$st' after ${ms} ms"
fi
if [ "$(id -u)" = 0 ]; then
	start 80x24 -- -d 0.3 -n 3 --panes syscalls
	st=$(wait_status 15)
	[ "$st" = 0 ] && ok "-n 3: the live dashboard exits 0" ||
		{ cap "$TMPD/s"; bad "-n 3 (live): exit status '$st'"; }
else
	echo "SKIP: -n in the live dashboard loads BPF: needs root"
fi

# ---- filter: one rule on every tab ------------------------------------------
# a name of a process making syscalls, the PID of a memory row, the name of
# a process doing I/O, the PID of a lock waiter
sc_comm=lock_mmap
want=$(jq -r --arg c $sc_comm '[.syscalls.processes[] | select(.comm == $c) | .pid] as $p |
	[.syscalls.rows[] | select(any(.processes[]; .pid as $x | $p | index($x))) | .name] | sort | join(" ")' <<<"$R1")
if replay "$FX" 120x40; then
	keys / $sc_comm Enter
	settle "/$sc_comm"
	got=$(awk 'NR >= 4 && NF == 0 { exit } NR >= 4 { print $1 }' "$TMPD/s" | sort | paste -sd' ')
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		ok "filter: /$sc_comm on Syscalls keeps the syscalls $sc_comm made ($got)"
	else
		bad "filter: /$sc_comm on Syscalls shows '$got', want '$want'"
	fi
	keys Escape
	settle
	keys / z z q q x Enter
	settle "/zzqqx"
	has "filter: an empty result says no rows match" "no rows match /zzqqx"
	hasnt "filter: ... and not that there were no calls" "no system calls"
	mpid=$(jq -r '.memory.rows[2].pid' <<<"$R1")
	keys Escape	# (alone: Esc and a key within 25 ms are one Alt+key)
	settle
	keys 2 / "$mpid" Enter
	settle "/$mpid"
	rows=$(awk 'NR >= 5 && NF == 0 { exit } NR >= 5 { print $1 }' "$TMPD/s" | paste -sd' ')
	[ "$rows" = "$mpid" ] && ok "filter: /$mpid on Memory keeps that PID's row" ||
		bad "filter: /$mpid on Memory shows rows '$rows'"
	iocomm=$(jq -r '.io.processes[] | select(.comm | test("^[a-z_]+$")) | .comm' <<<"$R1" | tail -1)
	keys Escape
	settle
	keys 4 / "$iocomm" Enter
	settle "/$iocomm"
	rows=$(awk 'NR >= 4 && NF == 0 { exit } NR >= 4 { print $1 "/" $2 }' "$TMPD/s" | paste -sd' ')
	want=$(jq -r --arg c "$iocomm" '[.io.processes[] | select(.comm == $c) | "\(.disk)/\(.op)"] | unique | join(" ")' <<<"$R1")
	[ -n "$want" ] && [ "$(tr ' ' '\n' <<<"$rows" | sort | paste -sd' ')" = "$want" ] &&
		ok "filter: /$iocomm on I/O keeps the rows that process does I/O on ($rows)" ||
		bad "filter: /$iocomm on I/O shows '$rows', want '$want'"
	lpid=$(jq -r '.locks.rows[1].top_waiter.pid' <<<"$R1")
	nl=$(jq --argjson p "$lpid" '[.locks.rows[] | select(.top_waiter.pid == $p or any(.waiters[]; .pid == $p))] | length' <<<"$R1")
	keys Escape
	settle
	keys 3 / "$lpid" Enter
	settle "/$lpid"
	got=$(awk 'NR >= 5 && NF == 0 { exit } NR >= 5' "$TMPD/s" | wc -l)
	[ "$got" = "$nl" ] && ok "filter: /$lpid on Locks keeps the $nl locks that PID waits on" ||
		bad "filter: /$lpid on Locks shows $got rows, want $nl"
else
	bad "filter: the replay did not pause on record 1"
fi

# ---- text that does not fit ---------------------------------------------------
if replay "$FX" 80x24; then
	keys h
	settle "ktop help"
	if grep -q "Leak suspect:" "$TMPD/s" && grep -qE "last 10 *$|intervals\.$" "$TMPD/s"; then
		ok "fit: the help wraps the leak-suspect rule to the end"
	else
		bad "fit: the help cuts the leak-suspect rule"
	fi
	keys x 4 Enter
	settle "Details: "
	if grep -qE "^Details: vda read latency \([0-9]+ [a-z]+\) " "$TMPD/s"; then
		ok "fit: the I/O detail title is shortened whole at 80 columns"
	else
		bad "fit: the I/O detail title is cut"
	fi
	keys Escape
	settle
	keys 3
	settle "LOCK +TYPE"
	# the long waits are the right half (from column 41): time, wait, PID, ...
	lines=$(grep -cE "^.{41}[0-9:]{8} +[0-9.]+[mun]?s +[0-9]+ " "$TMPD/s")
	cut=$(grep -E "^.{41}[0-9:]{8} " "$TMPD/s" | grep -cvE "^.{41}[0-9:]{8} +[0-9.]+[mun]?s +[0-9]+ ")
	[ "$lines" -gt 0 ] && [ "$cut" = 0 ] && ok "fit: Locks long waits show the whole PID ($lines lines)" ||
		bad "fit: Locks long waits: $lines lines with a PID, $cut without"
else
	bad "fit: the replay did not pause on record 1"
fi
# Memory in user mode: a long library path; I/O: a flush (sector ~0)
USER=$TMPD/user.ndjson
jq -c '.memory.mode = "user" | .memory.target_pid = 4242 | .memory.target_comm = "leaky-app" |
	.memory.allocator_lib = "/usr/lib/x86_64-linux-gnu/libc.so.6" |
	.memory.stacks |= map(.allocator = "malloc") |
	.memory.rows |= (to_entries | map(.value + {stack: .key})) |
	.io.slow[1] += {op: "flush", sector: 4242424242, bytes: 0, pid: 0}' <<<"$R1" |
	sed 's/"sector":4242424242/"sector":18446744073709551615/' > "$USER"	# (jq would round it)
if replay "$USER" 80x24 -t memory; then
	line=$(sed -n 3p "$TMPD/s")
	if grep -q "^user: 4242 leaky-app  malloc of libc.so.6 " <<<"$line" && grep -qE "(…|\.\.\.)$|[0-9]$" <<<"$line"; then
		ok "fit: Memory's user-mode header names the library by file and ends whole or in an ellipsis"
	else
		bad "fit: Memory's user-mode header: '$line'"
	fi
	keys 4
	settle "Recent slow"
	hasnt "fit: a flush's sector is not 18446744073709551615" "18446744073709551615"
	# where the PID column ends: the line less its last word (COMM) and a space
	pid_end() { awk '{ print length($0) - length($NF) - 1 }'; }
	fl=$(grep -E "^[0-9:.]{12} .* flush " "$TMPD/s")
	pcol=$(grep -E "^[0-9:.]{12} .* read " "$TMPD/s" | head -1 | pid_end)
	fcol=$(pid_end <<<"$fl")
	if grep -qE " flush +- +0B " <<<"$fl" && [ -n "$pcol" ] && [ "$pcol" = "$fcol" ]; then
		ok "fit: a flush shows sector '-' and its PID column lines up (column $fcol)"
	else
		bad "fit: flush line '$fl': PID at column '$fcol', others at '$pcol'"
	fi
else
	bad "fit: the user-mode replay did not pause on record 1"
fi

# ---- pivot -------------------------------------------------------------------
if replay "$FX" 120x40; then
	name=$(jq -r '.syscalls.rows | sort_by(-.total_ns) | .[0].name' <<<"$R1")
	pid=$(jq -r '.syscalls.rows | sort_by(-.total_ns) | .[0].processes[0].pid' <<<"$R1")
	want=$(jq -r --argjson p "$pid" --arg n "$name" '
		(.syscalls.rows[] | select(.name == $n) | .processes[] | select(.pid == $p) | .total_ns) as $t |
		(.syscalls.processes[] | select(.pid == $p) | .total_ns) as $all | 100 * $t / $all * 10 | round / 10' <<<"$R1")
	keys p
	settle "PID $pid"
	row=$(grep -E "^$name " "$TMPD/s" | head -1)
	tp=$(awk '{ print $4 }' <<<"$row")
	if awk -v a="$tp" -v b="$want" 'BEGIN { exit !(a - b < 0.051 && b - a < 0.051) }'; then
		ok "pivot: $name's TIME% is of PID $pid's own syscall time ($tp%)"
	else
		bad "pivot: $name's TIME% is '$tp', want $want (of the process's time)"
	fi
	if [ "$(awk '{ print $6, $7, $8, $9 }' <<<"$row")" = "- - - -" ]; then
		ok "pivot: the percentiles it has no data for show '-'"
	else
		bad "pivot: percentiles '$row'"
	fi
	has "pivot: a note says which figures are the process's" "PID $pid only: .*not collected per process"
	if hist_title | grep -q "all processes"; then ok "pivot: the histogram title says it is all processes'"
	else bad "pivot: histogram title '$(hist_title)'"; fi
else
	bad "pivot: the replay did not pause on record 1"
fi
# ---- a sampled row none of whose calls was timed: no latencies, not zeros ----
UNT=$TMPD/untimed.ndjson
jq -c '.syscalls.timing = {mode: "sampled", max_timed_per_s_per_cpu: 20000} |
	.syscalls.rows[0] += {timed: 0, total_ns: 0, p50_ns: 0, p95_ns: 0, p99_ns: 0, max_ns: 0, hist: []}' \
	<<<"$R1" > "$UNT"
uname=$(jq -r '.syscalls.rows[0].name' "$UNT")
if replay "$UNT" 120x40; then
	row=$(grep -E "^${uname:0:14}[a-z_]* ~ " "$TMPD/s" | head -1)	# a long name is cut to keep the ~
	if [ "$(awk '{ print $(NF-4), $(NF-3), $(NF-2), $(NF-1), $NF }' <<<"$row")" = "- - - - -" ]; then
		ok "untimed: a row counted but not timed shows '-' for AVG and P50-MAX"
	else
		bad "untimed: row '$row'"
	fi
else
	bad "untimed: the replay did not pause on record 1"
fi
trow=$("$KTOP" --replay "$UNT" -b 2>&1 | grep -E "^$uname " | head -1)
if [ "$(awk '{ print $(NF-4), $(NF-3), $(NF-2), $(NF-1), $NF }' <<<"$trow")" = "- - - - -" ]; then
	ok "untimed: the text report shows '-' for AVG and P50-MAX too"
else
	bad "untimed: text report row '$trow'"
fi

if [ "$(id -u)" = 0 ]; then
	sleep 60 &
	sp=$!
	start 80x24 -- -d 0.5 -p $sp --panes syscalls
	settle "pid $sp only" 15
	has "-p: the header says the view is filtered" "pid $sp only"
	kill $sp 2>/dev/null
else
	echo "SKIP: -p in the live dashboard loads BPF: needs root"
fi

# ---- snapshots -----------------------------------------------------------------
mkdir -p "$TMPD/rel"
name=ktop-$(date -u -d "$(jq -r .timestamp <<<"$R1")" +%Y%m%d-%H%M%S)
nrec=$(wc -l < "$FX")
start 120x40 "$TMPD/rel" -- --replay "$(readlink -f "$FX")"
if settle "REPLAY [0-9]+/$nrec"; then
	for i in $(seq 1 "$nrec"); do keys Left; done
	settle "REPLAY 1/$nrec +PAUSED"
	keys w
	settle "snapshot (written|failed)"
	has "snapshot: w in a relative directory names the absolute path" "snapshot written: $TMPD/rel/$name\.json"
else
	bad "snapshot: the replay did not start"
fi
if replay "$FX" 120x40 --snapshot-dir "$TMPD/nodir"; then
	keys w
	settle "snapshot (written|failed)"
	has "snapshot: a missing directory is named, with --snapshot-dir" "snapshot failed: --snapshot-dir $TMPD/nodir: No such file"
fi
mkdir -p "$TMPD/ro"
if mount -t tmpfs -o ro,size=1m ktop-keys "$TMPD/ro" 2>/dev/null; then
	if replay "$FX" 120x40 --snapshot-dir "$TMPD/ro"; then
		keys w
		settle "snapshot (written|failed)"
		has "snapshot: a read-only directory is 'not writable', with --snapshot-dir" \
			"snapshot failed: --snapshot-dir $TMPD/ro is not writable"
	fi
else
	echo "SKIP: snapshot to a read-only directory: cannot mount a read-only tmpfs here"
fi

# ---- histogram edges, replay footer -------------------------------------------
# record 2: the first syscall's two lowest buckets emptied, the range
# otherwise the same: the lines that remain keep their edges
HIST=$TMPD/hist.ndjson
{
	echo "$R1"
	jq -c '(.syscalls.rows | sort_by(-.total_ns) | .[0].name) as $n |
		(.syscalls.rows[] | select(.name == $n) | .hist) |= .[2:]' <<<"$R1"
} > "$HIST"
edges() { awk 'NR > 3 && NF == 0 { f = 1; getline; next } f && / - / { print $1, $2, $3 } f && NF == 0 { exit }' "$TMPD/s"; }
if replay "$HIST" 80x24; then
	edges > "$TMPD/e1"
	keys Right
	settle "REPLAY 2/2"
	edges > "$TMPD/e2"
	if [ -s "$TMPD/e2" ] && [ -z "$(comm -13 <(sort "$TMPD/e1") <(sort "$TMPD/e2"))" ]; then
		ok "hist: the lines of record 2 keep the edges of record 1 ($(head -1 "$TMPD/e2") ...)"
	else
		bad "hist: edges moved: $(paste -sd, "$TMPD/e1") -> $(paste -sd, "$TMPD/e2")"
	fi
	for i in $(seq 1 30); do grep -q "h:help" "$TMPD/s" && break; sleep 0.2; cap "$TMPD/s"; done
	has "hist: the replay footer names its keys" "Left/Right:step f:pause"
else
	bad "hist: the replay did not pause on record 1"
fi

# Losses that leave requests out of the percentiles are said on the I/O tab
# (issue 18.6: a bare "lost since start" left users guessing)
LOST=$TMPD/lost.ndjson
jq -c '.io.lost_in_percentiles = 7' <<<"$R1" > "$LOST"
if replay "$LOST" 120x40 -t io; then
	settle "Recent slow"
	has "lost: the I/O tab says how many requests the percentiles miss" "7 requests not in percentiles"
else
	bad "lost: the replay did not pause on record 1"
fi

[ $fails = 0 ]
