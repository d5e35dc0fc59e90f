#!/bin/bash
# Dashboard tests: drive the real binary in tmux (a virtual terminal), send
# keys, read the screen back with capture-pane and assert what it shows.
# Needs root (the dashboard loads BPF) and tmux; says SKIP otherwise.
cd "$(dirname "$0")/../.." || exit 1
. tests/env.sh
KTOP=$(readlink -f "${KTOP:-./ktop}")
pass=0 fail=0 skipn=0
S=ktop-ui-$$
TMPD=$(mktemp -d /tmp/ktop-ui.XXXXXX)
cleanup() { tmux kill-session -t $S 2>/dev/null; rm -rf "$TMPD"; }
trap cleanup EXIT
record() { echo "ui $pass $fail $skipn" >> "${KTOP_RESULTS:-build/test-results.txt}"; }
mkdir -p build
if [ "$(id -u)" != 0 ] || ! command -v tmux >/dev/null; then
	echo "SKIP: ui tests need root (BPF) and tmux"; skipn=1
	r=${KTOP_RESULTS:-build/test-results.txt}; echo "ui: the dashboard tests need root (BPF) and tmux" >> "${r%.txt}-skips.txt"
	echo "ui: 0 passed, 0 failed, 1 skipped"; record; exit 0
fi
ok() { pass=$((pass + 1)); echo "  ok: $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL: $*"; echo "----- screen -----"; cat "$TMPD/screen"; echo "------------------"; }
start() {	# start COLSxLINES ENV... -- ARGS...
	local size=$1; shift
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done; shift
	tmux kill-session -t $S 2>/dev/null
	tmux new-session -d -s $S -x "${size%x*}" -y "${size#*x}" \
		"env TERM=xterm ${envs[*]} $KTOP $*; sleep 30"
	# The first frame comes once every collector has loaded: that takes a few
	# seconds on a busy machine, so wait for it rather than a fixed time.
	local i
	for i in $(seq 1 100); do
		tmux capture-pane -p -t $S 2>/dev/null | grep -q '[^[:space:]]' && break
		sleep 0.2
	done
	sleep "${WAIT:-1.2}"
}
screen() { tmux capture-pane -p -t $S > "$TMPD/screen"; }
keys() { tmux send-keys -t $S "$@"; sleep 0.4; screen; }
has() { if grep -qE -- "$2" "$TMPD/screen"; then ok "$1"; else bad "$1: no /$2/ on screen"; fi; }
hasnt() { if grep -qE -- "$2" "$TMPD/screen"; then bad "$1: /$2/ on screen"; else ok "$1"; fi; }
line() { sed -n "$1p" "$TMPD/screen"; }

echo "dashboard at 80x24, UTF-8"
start 80x24 LANG=C.UTF-8 LC_ALL=C.UTF-8 -- -d 0.5 --snapshot-dir "$TMPD"
screen
has "header names ktop, host and interval" "^ ktop .* every 500ms"
# "1 Syscalls +2 Memory +3 Locks +4 I/O", from the tab registry
tabbar=$(sed -n 's/^KTOP_TAB([^"]*"\([^"]*\)").*/\1/p' core/tabs.def |
	awk '{ printf "%s%d %s", (NR > 1 ? " +" : ""), NR, $0 }')
has "tab bar lists the four tabs" "$tabbar"
has "syscalls table header" "SYSCALL +CALLS/s +ERR/s +TIME%. +AVG +P50 +P95 +P99 +MAX"
has "sort marker on TIME% (down arrow)" "TIME%▼"
has "histogram of the selected syscall" "latency \([0-9]+ calls(, [0-9]+ timed)?\)"
has "top processes of the selected syscall" "Top processes in"
keys '>'
has "> moves the sort to AVG" "AVG▼"
keys r
has "r reverses (up arrow)" "AVG▲"
keys '<' r
has "< back to TIME%, r back to descending" "TIME%▼"
keys 2
has "2 shows the Memory tab" "Memory|disabled|MEM|OUTSTANDING"
keys 4
has "4 shows the I/O tab" "I/O|disabled|DISK"
keys Tab
has "Tab wraps to Syscalls" "SYSCALL +CALLS/s"
keys BTab
has "Shift-Tab goes back to I/O" "DISK|disabled"
keys 1 h
has "h opens help" "ktop help"
has "help shows each tab's status" "status: running, attached via (tp_btf|raw_tp)"
has "help states the leak-suspect rule" "Leak suspect"
keys x
hasnt "any key leaves help" "ktop help"
keys f
has "f freezes: header says FROZEN" "FROZEN"
t1=$(line 1); sleep 1.2; screen; t2=$(line 1)
if [ "$t1" = "$t2" ]; then ok "frozen header does not change"; else bad "frozen header changed: $t1 / $t2"; fi
keys f
hasnt "f again unfreezes" "FROZEN"
keys / r e a d Enter
has "filter shows in header" "/read"
rows=$(sed -n '4,12p' "$TMPD/screen" | grep -E '^[a-z_0-9]+ +[0-9]' | awk '{print $1}')
if [ -n "$rows" ] && ! grep -qv read <<<"$rows"; then ok "filter keeps only rows containing 'read' ($(echo $rows))"
else bad "filter rows: $(echo $rows)"; fi
keys Escape
hasnt "Esc clears the filter" "/read"
for i in $(seq 1 14); do screen; grep -q "h:help" "$TMPD/screen" && break; sleep 0.5; done
has "status line shows key hints once messages age out" "h:help .* q:quit"
keys w
has "w reports the snapshot path" "snapshot written: .*ktop-[0-9]{8}-[0-9]{6}\.json"
js=$(ls "$TMPD"/ktop-*.json 2>/dev/null | head -1)
if [ -n "$js" ] && [ "$(stat -c %a "$js")" = 600 ] && [ -f "${js%.json}.txt" ]; then ok "snapshot .json (0600) and .txt exist"
else bad "snapshot files: $(ls -l "$TMPD")"; fi
if [ -n "$js" ] && jq -e '.view.tab == "syscalls" and (.syscalls.rows | type == "array")' "$js" >/dev/null; then
	ok "snapshot JSON has the batch object plus view"; else bad "snapshot JSON content"; fi
keys Enter
has "Enter opens details" "Details: "
keys Escape
hasnt "Esc closes details" "Details: "
keys q
sleep 0.3; screen
hasnt "q quits" "SYSCALL +CALLS"

echo "small terminal"
start 50x10 -- -d 0.5
screen
has "too small: says the size it needs" "ktop needs 60x12"
tmux resize-window -t $S -x 90 -y 26 2>/dev/null; sleep 1.2; screen
has "resize to 90x26 redraws the table" "SYSCALL +CALLS/s"

echo "ASCII locale and NO_COLOR"
start 80x24 LANG=C LC_ALL=C NO_COLOR=1 -- -d 0.5
screen
has "ASCII sort marker" "TIME%v"
hasnt "no UTF-8 bars in the C locale" "█"
tmux capture-pane -e -p -t $S > "$TMPD/esc"
if grep -qE $'\e\\[[0-9;]*3[0-7]m' "$TMPD/esc"; then bad "NO_COLOR: color escapes present"; else ok "NO_COLOR: no color escapes"; fi

echo "replay of a recording"
"$KTOP" -b --json -n 4 -d 0.8 --panes syscalls > "$TMPD/rec.ndjson" 2>/dev/null
WAIT=0 start 80x24 LANG=C.UTF-8 LC_ALL=C.UTF-8 -- --replay "$TMPD/rec.ndjson"
screen
has "replay starts at the first record" "REPLAY 1/4"
sleep 2.8; screen
has "replay steps at the recorded interval to the last record" "REPLAY 4/4"
has "replayed syscalls table" "SYSCALL +CALLS/s"
keys Left
has "Left steps back and pauses" "REPLAY 3/4 +PAUSED"
keys Left Left Left
has "Left stops at the first record" "REPLAY 1/4 +PAUSED"
keys Right
has "Right steps forward" "REPLAY 2/4 +PAUSED"
keys f
sleep 2.8; screen
has "f resumes the replay" "REPLAY 4/4"
hasnt "resumed: no PAUSED badge" "PAUSED"
keys q

echo "terminal start-up: TERM ktop cannot draw on, and the built-in terminfo"
# term_start ENV...: ktop in a fresh pane with ENV; afterwards the pane shows
# its exit status and whether the tty modes are as before (tty-same).
term_start() {
	local i
	tmux kill-session -t $S 2>/dev/null
	tmux new-session -d -s $S -x 200 -y 30 \
		"a=\$(stty -g); env $* $KTOP -d 0.5; echo exit=\$?; [ \"\$(stty -g)\" = \"\$a\" ] && echo tty-same; sleep 30"
	for i in $(seq 1 40); do	# the dashboard's BPF load is slow on a busy machine
		sleep 0.25
		screen
		grep -qE '^tty-same|^exit=[0-9]|SYSCALL +CALLS/s' "$TMPD/screen" && break
	done
}
term_start TERM=dumb
has "TERM=dumb: refuses to draw, names -b and a known TERM" "TERM=dumb cannot move the cursor.*use -b"
has "TERM=dumb: exit status 2" "^exit=2$"
has "TERM=dumb: terminal modes unchanged" "^tty-same$"
term_start TERM=no-such-terminal
has "unknown TERM: says what to do" "unknown terminal type TERM=no-such-terminal.*use -b .*xterm-256color"
has "unknown TERM: exit status 2" "^exit=2$"
hasnt "unknown TERM: no bare ncurses error" "Error opening terminal"
term_start TERM=
has "empty TERM: says what to do" "TERM is not set.*use -b"
term_start TERM=xterm-no-such-variant
has "xterm-like unknown TERM: the dashboard runs on the built-in entry" "SYSCALL +CALLS/s"
keys q
for i in $(seq 1 20); do grep -q '^exit=' "$TMPD/screen" && break; sleep 0.25; screen; done
has "xterm-like unknown TERM: says which entry it used" "using the built-in xterm-256color"
has "xterm-like unknown TERM: q exits 0" "^exit=0$"
if ls -d /tmp/ktop-terminfo.* >/dev/null 2>&1 && [ -n "$(find /tmp -maxdepth 1 -name 'ktop-terminfo.*' -user 0 -newer "$TMPD" 2>/dev/null)" ]; then
	bad "private terminfo directory left in /tmp"; else ok "private terminfo directory removed"; fi
tmux kill-session -t $S 2>/dev/null

# golden screens: fixed recordings rendered and compared (tests/ui/golden.sh);
# behaviour on derived recordings: selection, keys, filter, fit (keys.sh)
for sub in golden keys; do
	[ -x tests/ui/$sub.sh ] || continue
	echo "$sub.sh"
	out=$(KTOP="$KTOP" tests/ui/$sub.sh 2>&1); rc=$?
	echo "$out" | sed 's/^/  /'
	gp=$(grep -c '^ok:' <<<"$out"); gf=$(grep -c '^FAIL:' <<<"$out")
	gs=$(grep -c '^SKIP:' <<<"$out")
	pass=$((pass + gp)); fail=$((fail + gf)); skipn=$((skipn + gs))
	r=${KTOP_RESULTS:-build/test-results.txt}	# skipped checks are named
	grep '^SKIP:' <<<"$out" | sed 's/^SKIP: */ui: /' >> "${r%.txt}-skips.txt"
	[ $rc != 0 ] && [ "$gf" = 0 ] && { fail=$((fail + 1)); echo "  FAIL: $sub.sh exited $rc"; }
done

echo "ui: $pass passed, $fail failed, $skipn skipped"
record
[ $fail = 0 ]
