#!/bin/bash
# Every exit path leaves no BPF program behind and, in the dashboard, gives the
# terminal back: batch mode under SIGTERM, SIGHUP, SIGINT, SIGKILL, SIGTERM
# during start-up and a closed pipe; the dashboard (in tmux) under q, Ctrl-C, SIGTERM, SIGHUP (the terminal
# goes away), F10 and a crash (SIGSEGV: handler restores, then re-raises).
. tests/integ/lib.sh
need_root
need_cmd tmux
KTOPA=$(readlink -f "$KTOP")

batch_sig() {	# batch_sig SIGNAL EXPECTED_STATUS
	"$KTOPA" -b -d 0.2 > /dev/null 2>&1 &
	local pid=$! ids rc
	wait_attached $pid || { bad "batch ktop did not attach"; return; }
	ids=$(prog_ids_of $pid)
	kill -"$1" $pid; wait $pid; rc=$?
	assert_eq "batch $1: exit status" "$2" $rc
	assert_eq "batch $1: programs left of $(wc -w <<<"$ids")" 0 "$(progs_alive $ids)"
}
batch_sig TERM 0
batch_sig HUP 0
batch_sig INT 0
batch_sig KILL 137

# SIGTERM during start-up, as soon as the first collector has a program
# loaded: the collectors after it are not opened (ktop -v says so), ktop
# exits 0 and leaves nothing behind. A start-up that was already over when
# the signal came proves nothing: tried again, up to 3 times.
start_sig() {
	local pid ids rc try
	for try in 1 2 3; do
		"$KTOPA" -v -b -d 0.5 > "$TMPD/ss.out" 2> "$TMPD/ss.err" &
		pid=$!
		wait_attached $pid || { bad "start-up SIGTERM: ktop did not attach"; return; }
		ids=$(prog_ids_of $pid)
		kill -TERM $pid; wait $pid; rc=$?
		grep -q 'stopped by a signal during start-up' "$TMPD/ss.err" && break
		[ -s "$TMPD/ss.out" ] || break	# no report: start-up was not over, yet no message
	done
	assert_eq "start-up SIGTERM: exit status" 0 $rc
	assert_eq "start-up SIGTERM: programs left of $(wc -w <<<"$ids")" 0 "$(progs_alive $ids)"
	check "start-up SIGTERM: the later collectors were not opened" \
		grep -q 'stopped by a signal during start-up' "$TMPD/ss.err"
}
start_sig

# closed pipe: the reader goes away after one line
"$KTOPA" -b --json -d 0.2 2>"$TMPD/pipe.err" | head -c 10 > /dev/null
rc=${PIPESTATUS[0]}
assert_eq "batch into a closed pipe: exit status" 0 $rc
check "batch into a closed pipe: no write error reported" bash -c "! grep -q 'cannot write' $TMPD/pipe.err"

# The dashboard: one tmux session per case; the shell prints ktop's status.
ui_case() {	# ui_case NAME ACTION EXPECTED_STATUS
	local s=ktop-exit-$$ pid ids out alt
	tmux kill-session -t $s 2>/dev/null
	tmux new-session -d -s $s -x 100 -y 30 "TERM=xterm bash --norc"
	tmux send-keys -t $s "$KTOPA -d 0.3; echo KTOP-EXITED-\$?" Enter
	for i in $(seq 1 100); do pid=$(pgrep -n -f "^$KTOPA -d 0.3") && break; sleep 0.05; done
	if [ -z "$pid" ] || ! wait_attached "$pid"; then
		bad "$1: dashboard did not start"; tmux kill-session -t $s; return
	fi
	sleep 0.5
	ids=$(prog_ids_of "$pid")
	case $2 in
	key:*) tmux send-keys -t $s "${2#key:}";;
	sig:HUP) tmux kill-session -t $s;;	# the terminal goes away
	sig:*) kill -"${2#sig:}" "$pid";;
	esac
	for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	check "$1: ktop has exited" bash -c "! kill -0 $pid 2>/dev/null"
	assert_eq "$1: programs left of $(wc -w <<<"$ids")" 0 "$(progs_alive $ids)"
	if [ "$2" != sig:HUP ]; then
		sleep 0.2
		out=$(tmux capture-pane -p -t $s)
		alt=$(tmux display -p -t $s '#{alternate_on}')
		assert_eq "$1: terminal left the alternate screen" 0 "$alt"
		assert_eq "$1: exit status" "KTOP-EXITED-$3" "$(grep -o 'KTOP-EXITED-[0-9]*' <<<"$out" | tail -1)"
		tmux kill-session -t $s
	fi
}
ui_case "q" key:q 0
ui_case "Ctrl-C" key:C-c 0
ui_case "F10" key:F10 0
ui_case "SIGTERM" sig:TERM 0
ui_case "SIGSEGV" sig:SEGV 139
ui_case "SIGHUP" sig:HUP -
finish
