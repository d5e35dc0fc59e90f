#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Golden screens and the dashboard keys that need a fixed picture: replays of
# tests/ui/fixtures/all.ndjson rendered in tmux, compared with
# tests/ui/golden/<tab>[-detail]-<cols>x<lines>.screen; sort order before and
# after '>'; freeze holding the whole screen still (live, root); w in replay
# mode (view, mode 0600, same data); a symlink planted at the snapshot name
# not followed; resize to 80x24; q exits 0 leaving no BPF program (live).
#
# Usage: KTOP=build-x/ktop tests/ui/golden.sh;  UPDATE_GOLDEN=1 ... rewrites
# the golden files (review them: git diff tests/ui/golden).
# Prints one line per check, "ok: ..." or "FAIL: ..." (with the diff), which
# tests/ui/run.sh counts; "SKIP: ..." lines are not checks. Exits 1 on a FAIL.
cd "$(dirname "$0")/../.." || exit 1
. tests/env.sh
KTOP=$(readlink -f "${KTOP:-./ktop}")
FX=tests/ui/fixtures/all.ndjson
GOLD=tests/ui/golden
SOCK=ktop-golden-$$
TMPD=$(mktemp -d /tmp/ktop-golden.XXXXXX)
fails=0

T() { tmux -L "$SOCK" -f /dev/null "$@"; }
cleanup() { T kill-server 2>/dev/null; rm -rf "$TMPD"; }
trap cleanup EXIT
T new-session -d -s hold -x 80 -y 24 "sleep 100000" || { echo "FAIL: cannot start tmux"; exit 1; }
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

for c in tmux jq; do
	command -v $c >/dev/null || { bad "golden screens need $c"; exit 1; }
done
[ -x "$KTOP" ] || { bad "no ktop binary at $KTOP (set KTOP)"; exit 1; }
NREC=$(wc -l < "$FX")

# start COLSxLINES ARGS...: ktop ARGS in a new tmux session of that size, in
# a fixed environment; the previous one is closed. One server runs
# throughout (a held session keeps it up: restarting it races). ktop's exit
# status goes to $TMPD/status.
n=0
start() {
	local size=$1
	shift
	T kill-session -t "k$n" 2>/dev/null
	n=$((n + 1))
	rm -f "$TMPD/status"
	T new-session -d -s "k$n" -x "${size%x*}" -y "${size#*x}" \
		"env TERM=xterm LC_ALL=C.UTF-8 LANG=C.UTF-8 TZ=UTC $KTOP $*; echo \$? > $TMPD/status" ||
		return 1
}
# cap FILE: the screen, trailing blanks trimmed
cap() { T capture-pane -p -t "k$n" | sed 's/[[:space:]]*$//' > "$1"; }
# settle FILE [EGREP] [SECS]: wait until the screen shows EGREP (if given)
# and stays the same for 0.3 s; the last capture is in FILE. 1 on timeout.
settle() {
	local f=$1 re=${2:-} secs=${3:-15} i
	for i in $(seq 1 $((secs * 10 / 3))); do
		cap "$TMPD/a"
		sleep 0.3
		cap "$f"
		if cmp -s "$TMPD/a" "$f" && { [ -z "$re" ] || grep -qE -- "$re" "$f"; }; then
			return 0
		fi
	done
	return 1
}
# wait_re FILE RE [SECS]: wait until the screen shows RE (a live screen that
# redraws every interval may never hold still long enough to settle)
wait_re() {
	local f=$1 re=$2 secs=${3:-15} i
	for i in $(seq 1 $((secs * 5))); do
		cap "$f"
		grep -qE -- "$re" "$f" && return 0
		sleep 0.2
	done
	return 1
}
# settle_change FILE REF: wait for a settled screen that differs from REF
settle_change() {
	local i
	for i in $(seq 1 20); do
		settle "$1" "" 5 && ! cmp -s "$1" "$2" && return 0
	done
	return 1
}
keys() { T send-keys -t "k$n" "$@"; }
# replay_at SIZE ARGS...: the fixture, paused on its first record
replay_at() {
	local size=$1 i
	shift
	start "$size" --replay "$FX" "$@" || return 1
	settle "$TMPD/s" "REPLAY [0-9]+/$NREC" || return 1
	for i in $(seq 1 "$NREC"); do keys Left; done	# Left stops at the first and pauses
	settle "$TMPD/s" "REPLAY 1/$NREC +PAUSED"
}
# golden NAME: compare the screen in $TMPD/s with $GOLD/NAME.screen
golden() {
	local g=$GOLD/$1.screen
	if [ -n "${UPDATE_GOLDEN:-}" ]; then
		mkdir -p "$GOLD"
		cp "$TMPD/s" "$g"
		ok "$1: golden screen written ($g)"
	elif [ ! -f "$g" ]; then
		bad "$1: no golden screen $g (UPDATE_GOLDEN=1 $0 writes it)"
	elif diff -u "$g" "$TMPD/s" > "$TMPD/diff" || { settle "$TMPD/s" "" 5 && diff -u "$g" "$TMPD/s" > "$TMPD/diff"; }; then
		# (the second look: a busy machine may not have drawn it all yet)
		ok "$1: screen equals $g"
	else
		bad "$1: screen differs from $g"
		cat "$TMPD/diff"
	fi
}
screen_dump() { echo "----- screen -----"; cat "$TMPD/s"; echo "------------------"; }

# ---- golden screens of each tab, list and details -------------------------
for tab in syscalls memory locks io; do
	for size in 80x24 120x40; do
		if ! replay_at $size -t $tab; then
			bad "$tab-$size: the replay did not pause on record 1"; screen_dump
			continue
		fi
		golden "$tab-$size"
		[ $size = 120x40 ] || continue
		cp "$TMPD/s" "$TMPD/list"
		keys Enter
		if settle_change "$TMPD/s" "$TMPD/list"; then
			golden "$tab-detail-$size"
		else
			bad "$tab-detail-$size: Enter did not open the details"; screen_dump
		fi
	done
done
# the hostile comm (ESC ] 0 ; x BEL: an xterm title change) is on screen
# escaped, and no screen holds a raw control character
esc='\e]0;x\x07'
if grep -qF -- "$esc" "$GOLD/syscalls-80x24.screen" && grep -qF -- "$esc" "$GOLD/syscalls-120x40.screen" &&
   grep -qF -- "$esc" "$GOLD/io-120x40.screen" &&
   ! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$GOLD"/*.screen; then
	ok "hostile comm shown escaped as $esc on the Syscalls and I/O screens; no raw control bytes"
else
	bad "hostile comm: not shown as $esc, or a raw control byte on a screen"
fi

# ---- sort keys change the row order ----------------------------------------
# first column of the syscalls table: lines 4.. up to the blank line after it
first_col() { awk 'NR >= 4 && NF == 0 { exit } NR >= 4 { print $1 }' "$TMPD/s" | paste -sd' '; }
by_total=$(head -1 "$FX" | jq -r '.syscalls.rows | sort_by(-.total_ns) | map(.name) | join(" ")')
by_avg=$(head -1 "$FX" | jq -r '.syscalls.rows | sort_by(-(.total_ns / .count | floor)) | map(.name) | join(" ")')
if [ "$by_total" = "$by_avg" ]; then
	bad "sort: the fixture's TIME% and AVG orders are the same; the check would prove nothing"
elif replay_at 120x40 -t syscalls; then
	before=$(first_col)
	keys '>'
	settle "$TMPD/s" "AVG▼"
	after=$(first_col)
	if [ "$before" = "$by_total" ] && [ "$after" = "$by_avg" ]; then
		ok "sort: '>' reorders the rows from by TIME% ($before) to by AVG ($after)"
	else
		bad "sort: before '>' '$before' (want '$by_total'), after '$after' (want '$by_avg')"
		screen_dump
	fi
	keys r
	settle "$TMPD/s" "AVG▲"
	rev=$(first_col)
	if [ "$rev" = "$(tr ' ' '\n' <<<"$by_avg" | tac | paste -sd' ')" ]; then
		ok "sort: r reverses the order ($rev)"
	else
		bad "sort: after r '$rev'"; screen_dump
	fi
else
	bad "sort: the replay did not pause on record 1"; screen_dump
fi

# ---- w in replay mode: both files, the view, mode 0600, the same data ------
SNAP=$TMPD/snap
mkdir -p "$SNAP"
if replay_at 120x40 --snapshot-dir "$SNAP"; then
	keys 3 '>' r Down
	settle "$TMPD/s" "AVG▲" || bad "w: the locks tab did not sort by AVG reversed"
	keys w
	if settle "$TMPD/s" "snapshot written: "; then
		js=$(ls "$SNAP"/ktop-*.json 2>/dev/null | head -1)
		name=ktop-$(head -1 "$FX" | jq -r .timestamp | xargs -I{} date -u -d {} +%Y%m%d-%H%M%S)
		if [ "$js" = "$SNAP/$name.json" ] && [ -f "$SNAP/$name.txt" ]; then
			ok "w: wrote $name.json and .txt (named after the record's time)"
		else
			bad "w: files: $(ls -la "$SNAP")"
		fi
		grep -qF "snapshot written: $SNAP/$name.json" "$TMPD/s" &&
			ok "w: the status line names the file" || { bad "w: status line"; screen_dump; }
		m=$(stat -c %a "$SNAP/$name.json" "$SNAP/$name.txt" 2>/dev/null | paste -sd' ')
		[ "$m" = "600 600" ] && ok "w: both files have mode 0600" || bad "w: modes '$m'"
		view=$(jq -c .view "$SNAP/$name.json" 2>/dev/null)
		# the selection (the first lock by WAIT) follows its row through
		# the two re-sorts, then Down: the row after it by AVG reversed
		# (or still it, when it is the last)
		sel=$(head -1 "$FX" | jq -r '.locks.rows | (sort_by(-.total_wait_ns) | .[0].addr + .[0].type) as $k |
			sort_by(-.avg_wait_ns) | reverse | map(.addr + .type) | [index($k) + 1, length - 1] | min')
		want='{"tab":"locks","sort":"AVG","reverse":true,"frozen":true,"selected":"'$sel'"}'
		[ "$view" = "$want" ] && ok "w: view is $view" || bad "w: view is '$view', want '$want'"
		if diff <(jq -S 'del(.view)' "$SNAP/$name.json") <(head -1 "$FX" | jq -S .) > "$TMPD/diff"; then
			ok "w: the .json holds the shown record field for field"
		else
			bad "w: the .json differs from the shown record"; head -30 "$TMPD/diff"
		fi
		if "$KTOP" --replay "$FX" -b -n 1 | diff - "$SNAP/$name.txt" > "$TMPD/diff"; then
			ok "w: the .txt is the text report of the shown record"
		else
			bad "w: the .txt differs from the record's text report"; head -30 "$TMPD/diff"
		fi
	else
		bad "w: no 'snapshot written' on the status line"; screen_dump
	fi
else
	bad "w: the replay did not pause on record 1"; screen_dump
fi

# ---- a symlink planted at the snapshot name is not followed ----------------
# Replay names the snapshot after the record's time; the current second and
# the next five are planted too, in case a change makes it the wall clock.
SNAP=$TMPD/snap2
mkdir -p "$SNAP"
echo precious > "$TMPD/precious"
touch -d '2020-01-01' "$TMPD/precious"
t0=$(date -u -d "$(head -1 "$FX" | jq -r .timestamp)" +%s)
now=$(date +%s)
for base in $t0 $now; do
	for k in 0 1 2 3 4 5; do
		ln -sf "$TMPD/precious" "$SNAP/ktop-$(date -u -d @$((base + k)) +%Y%m%d-%H%M%S).json"
	done
done
if replay_at 80x24 --snapshot-dir "$SNAP"; then
	keys w
	if settle "$TMPD/s" "snapshot (written|failed)"; then
		name=ktop-$(date -u -d @"$t0" +%Y%m%d-%H%M%S)
		want="$SNAP/$name-1.json"
		if [ "$(cat "$TMPD/precious")" = precious ] && [ "$(stat -c %Y "$TMPD/precious")" = "$(date -d 2020-01-01 +%s)" ]; then
			ok "symlink: the file it points to is unchanged"
		else
			bad "symlink: the file it points to changed: $(cat "$TMPD/precious")"
		fi
		if [ -f "$want" ] && [ ! -L "$want" ] && [ -f "${want%.json}.txt" ] &&
		   jq -e '.view.frozen' "$want" >/dev/null && [ "$(stat -c %a "$want")" = 600 ]; then
			ok "symlink: the snapshot went to a new name, $(basename "$want") (0600, regular file)"
		else
			bad "symlink: no $want: $(ls -la "$SNAP")"; screen_dump
		fi
		[ -L "$SNAP/$name.json" ] && [ "$(readlink "$SNAP/$name.json")" = "$TMPD/precious" ] &&
			ok "symlink: the planted link is left as it was" || bad "symlink: the planted link was replaced"
	else
		bad "symlink: w said nothing"; screen_dump
	fi
else
	bad "symlink: the replay did not pause on record 1"; screen_dump
fi

# ---- resize to 80x24 keeps working: the same screen as drawn at 80x24 ------
for tab in syscalls locks io; do
	if ! replay_at 120x40 -t $tab; then
		bad "resize $tab: the replay did not pause on record 1"; screen_dump
		continue
	fi
	T resize-window -t "k$n" -x 80 -y 24
	for i in $(seq 1 10); do	# until ktop has redrawn (tmux shows its own reflow first)
		settle "$TMPD/s" "" 5 && diff -u "$GOLD/$tab-80x24.screen" "$TMPD/s" > "$TMPD/diff" && break
	done
	if [ "$(wc -l < "$TMPD/s")" = 24 ] && diff -u "$GOLD/$tab-80x24.screen" "$TMPD/s" > "$TMPD/diff"; then
		ok "resize $tab: 120x40 -> 80x24 redraws exactly the 80x24 screen"
	else
		bad "resize $tab: after 120x40 -> 80x24 the screen differs from $GOLD/$tab-80x24.screen"
		cat "$TMPD/diff"
	fi
done

# ---- live (root: BPF): freeze holds the whole screen; q exits 0 ------------
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: freeze and quit checks load BPF: need root"
elif ! start 80x24 -d 0.5 --panes syscalls || ! wait_re "$TMPD/s" "h:help .* q:quit" 30; then
	bad "live: the dashboard did not come up"; screen_dump
else
	pid=$(pgrep -P "$(T display -p -t "k$n" '#{pane_pid}')" | head -1)
	ids=$(grep -h '^prog_id:' /proc/"$pid"/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -u)
	keys f
	if settle "$TMPD/s" "FROZEN"; then
		T capture-pane -p -t "k$n" > "$TMPD/f1"
		sleep 1.5		# three intervals: collection goes on underneath
		T capture-pane -p -t "k$n" > "$TMPD/f2"
		if cmp -s "$TMPD/f1" "$TMPD/f2"; then
			ok "freeze: the whole screen is byte-identical 1.5 s (3 intervals) apart"
		else
			bad "freeze: the frozen screen changed"; diff -u "$TMPD/f1" "$TMPD/f2"
		fi
		keys f
		changed=
		for i in $(seq 1 30); do
			T capture-pane -p -t "k$n" > "$TMPD/f3"
			if ! grep -q FROZEN "$TMPD/f3" && ! cmp -s <(sed 1d "$TMPD/f1") <(sed 1d "$TMPD/f3"); then
				changed=1; break
			fi
			sleep 0.2
		done
		[ -n "$changed" ] && ok "freeze: f again shows new data" ||
			{ bad "freeze: unfrozen screen did not change in 6 s"; cat "$TMPD/f3"; }
	else
		bad "freeze: no FROZEN in the header"; screen_dump
	fi
	keys q
	st=
	for i in $(seq 1 50); do
		[ -s "$TMPD/status" ] && st=$(cat "$TMPD/status") && break
		sleep 0.1
	done
	[ "$st" = 0 ] && ok "q: ktop exits with status 0" || bad "q: exit status '$st'"
	left=0
	for i in $(seq 1 30); do
		left=0
		for id in $ids; do bpftool prog show id "$id" >/dev/null 2>&1 && left=$((left + 1)); done
		[ $left = 0 ] && break
		sleep 0.1
	done
	if [ -z "$ids" ]; then
		bad "q: found no BPF programs held by ktop (pid $pid) to check"
	elif [ $left = 0 ]; then
		ok "q: none of ktop's $(wc -w <<<"$ids") BPF programs is left"
	else
		bad "q: $left of ktop's BPF programs still loaded"
	fi
fi

[ $fails = 0 ]
