#!/bin/bash
# Untrusted strings: a process named with terminal escape sequences and
# invalid UTF-8 shows up escaped in the text report and the dashboard (no raw
# ESC, BEL or stray bytes reach the terminal) and correctly escaped in JSON.
. tests/integ/lib.sh
need_root
need_cmd jq
need_cmd tmux
"$WL/evil_comm" 120 &	# killed at exit; long enough for a slow, busy machine
EPID=$!
trap 'kill $EPID 2>/dev/null; tmux kill-session -t ktop-hostile-$$ 2>/dev/null; rm -rf "$TMPD"' EXIT
sleep 0.3
"$KTOP" -b --json -p $EPID -d 0.5 -n 2 --panes syscalls > "$TMPD/j" 2>/dev/null
check "JSON lines parse" jq -e . "$TMPD/j"
comm=$(jq -r '[.syscalls.processes[] | select(.pid == '$EPID') | .comm][0]' "$TMPD/j" | head -1)
assert_eq "JSON comm decodes to the name's valid part plus escaped stray bytes" \
	"$(printf '\033]0;pwn\007\033[31m\303\277\303\276')" "$comm"
check "JSON has no raw control bytes" bash -c "! LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]' $TMPD/j"
"$KTOP" -b -p $EPID -d 0.5 -n 2 --panes syscalls > "$TMPD/t" 2>/dev/null
check "text report names the process escaped" grep -qF '\e]0;pwn\x07\e[31m\xff\xfe' "$TMPD/t"
check "text report has no ESC or BEL" bash -c "! LC_ALL=C grep -qP '[\x07\x1b]' $TMPD/t"
S=ktop-hostile-$$
tmux new-session -d -s $S -x 100 -y 30 "env TERM=xterm LANG=C.UTF-8 $(readlink -f "$KTOP") -p $EPID -d 0.5"
for i in $(seq 1 60); do	# the first frame needs every collector loaded: slow on a busy machine
	tmux capture-pane -p -t $S > "$TMPD/screen" 2>/dev/null
	grep -qF '\e]0;pwn' "$TMPD/screen" && break
	sleep 0.5
done
sleep 1; tmux capture-pane -p -t $S > "$TMPD/screen"
tmux capture-pane -e -p -t $S > "$TMPD/screen-esc"
check "dashboard shows the escaped name" grep -qF '\e]0;pwn\x07' "$TMPD/screen"
title=$(tmux display -p -t $S '#{pane_title}')
check "terminal title was not changed by the process name (title: $title)" test "$title" != pwn
check "the name's SGR sequence is shown as text, not obeyed" grep -qF '\x07\e[3' "$TMPD/screen"
check "the raw OSC sequence never reached the terminal" bash -c "! grep -qF \$'\e]0;pwn' $TMPD/screen-esc"
finish
