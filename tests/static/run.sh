#!/bin/bash
# The static binary (make static) where nothing was built: copied alone into
# a minimal Debian 11 (bullseye, glibc 2.31) and Debian 12 (bookworm) root
# and run there under chroot: batch and JSON mode, the dashboard in tmux with
# the root's terminfo and without it (the built-in fallback), and the
# messages for an unknown and a dumb TERM.
#
# Usage: KTOP_STATIC=./ktop-static tests/static/run.sh [SUITE...]
# Roots are cached in $STATIC_CACHE (default /var/tmp/static-test):
# SUITE.tgz (debootstrap --make-tarball) and root-SUITE (the installed tree).
# With STATIC_FETCH=1 a missing one is made with debootstrap from $MIRROR
# (about 45 MB download and a minute per suite); otherwise that suite is
# skipped. Exits 0 (pass), 1 (fail) or 77 (all skipped). Needs root.
cd "$(dirname "$0")/../.." || exit 1
KTOP_STATIC=$(readlink -f "${KTOP_STATIC:-./ktop-static}")
CACHE=${STATIC_CACHE:-/var/tmp/static-test}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
suites=("$@")
[ ${#suites[@]} = 0 ] && suites=(bullseye bookworm)
pass=0 fail=0 skipn=0
S=static-$$
TMPD=$(mktemp -d /tmp/ktop-static.XXXXXX)
ok() { pass=$((pass + 1)); echo "  ok: $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL: $*"; }
skip() { skipn=$((skipn + 1)); echo "  SKIP: $*"; }
finish() {
	echo "static: $pass passed, $fail failed, $skipn skipped"
	[ $fail != 0 ] && exit 1
	[ $pass = 0 ] && exit 77
	exit 0
}

if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root (chroot, BPF)"; exit 77; fi
if [ ! -x "$KTOP_STATIC" ]; then echo "SKIP: no static binary at $KTOP_STATIC (make static)"; exit 77; fi
for c in tmux chroot file; do
	command -v $c >/dev/null || { echo "SKIP: needs $c"; exit 77; }
done

echo "the binary: $KTOP_STATIC"
desc=$(file -L "$KTOP_STATIC")
if grep -qE 'static(-pie)? linked' <<<"$desc"; then ok "file: ${desc#*: }"; else bad "file: not static: $desc"; fi
ld=$(ldd "$KTOP_STATIC" 2>&1)
if grep -qE 'not a dynamic executable|statically linked' <<<"$ld"; then ok "ldd: $(echo $ld)"; else bad "ldd lists libraries: $ld"; fi
if readelf -l "$KTOP_STATIC" | grep -q INTERP; then bad "has a program interpreter"; else ok "no program interpreter (PT_INTERP)"; fi
ok "size: $(stat -c %s "$KTOP_STATIC") bytes"

# One run at a time: the roots are shared and the fallback test hides terminfo.
exec 9> "$CACHE/.lock" 2>/dev/null || { mkdir -p "$CACHE" && exec 9> "$CACHE/.lock"; }
flock 9

ROOT=""
hidden=()
cleanup() {
	tmux kill-session -t $S 2>/dev/null
	if [ -n "$ROOT" ]; then
		local d
		for d in "${hidden[@]}"; do mv "$ROOT/.ktop-hidden/$d" "$ROOT/$d" 2>/dev/null; done
		find "$ROOT/.ktop-hidden" -depth -type d -empty -delete 2>/dev/null
		for d in dev sys proc; do umount -R "$ROOT/$d" 2>/dev/null; done
		rm -f "$ROOT/ktop"
	fi
	rm -rf "$TMPD"
}
trap cleanup EXIT

make_root() {	# make_root SUITE: the cached installed tree, made if allowed
	local s=$1 r=$CACHE/root-$1
	[ -x "$r/bin/sh" ] && { echo "$r"; return 0; }
	[ "${STATIC_FETCH:-0}" = 1 ] || return 1
	command -v debootstrap >/dev/null || return 1
	rm -rf "$r.tmp"
	if [ ! -f "$CACHE/$s.tgz" ]; then
		debootstrap --variant=minbase --make-tarball="$CACHE/$s.tgz.part" "$s" "$r.tmp" "$MIRROR" \
			> "$CACHE/mk-$s.log" 2>&1 && mv "$CACHE/$s.tgz.part" "$CACHE/$s.tgz" || return 1
		rm -rf "$r.tmp"
	fi
	debootstrap --variant=minbase --unpack-tarball="$CACHE/$s.tgz" "$s" "$r.tmp" "$MIRROR" \
		> "$CACHE/inst-$s.log" 2>&1 && mv "$r.tmp" "$r" && echo "$r"
}

in_root() { chroot "$ROOT" "$@"; }

# dash NAME ENV...: the dashboard in a 120x40 tmux; leaves the screen in $TMPD/screen
dash() {
	local name=$1; shift
	tmux kill-session -t $S 2>/dev/null
	tmux new-session -d -s $S -x 120 -y 40 \
		"env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin $* chroot $ROOT /ktop -d 0.5 2>/tmp/ktop-static-err.$$; echo ktop-exit=\$?; cat /tmp/ktop-static-err.$$; sleep 30"
	for _ in $(seq 1 30); do
		sleep 0.3
		tmux capture-pane -p -t $S > "$TMPD/screen"
		grep -qE 'SYSCALL +CALLS/s|ktop-exit=' "$TMPD/screen" && break
	done
	cp "$TMPD/screen" "$TMPD/drawn"
	if grep -qE 'SYSCALL +CALLS/s' "$TMPD/screen"; then ok "$name: dashboard draws the Syscalls table"
	else bad "$name: no Syscalls table"; sed 's/^/    | /' "$TMPD/screen"; fi
	tmux send-keys -t $S q
	for _ in $(seq 1 20); do
		sleep 0.2
		tmux capture-pane -p -t $S > "$TMPD/screen"
		grep -q 'ktop-exit=' "$TMPD/screen" && break
	done
	if grep -q 'ktop-exit=0' "$TMPD/screen"; then ok "$name: q quits with status 0"
	else bad "$name: after q: $(grep -m1 ktop-exit "$TMPD/screen" || echo still running)"; fi
	tmux kill-session -t $S 2>/dev/null
	rm -f /tmp/ktop-static-err.$$
}

mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null

for suite in "${suites[@]}"; do
	echo "Debian $suite minbase"
	if ! ROOT=$(make_root "$suite"); then
		ROOT=""
		skip "$suite: no root in $CACHE/root-$suite (STATIC_FETCH=1 makes one with debootstrap)"
		continue
	fi
	hidden=()
	glibc=$(chroot "$ROOT" /usr/bin/ldd --version 2>/dev/null | head -1 | awk '{print $NF}')
	echo "  root $ROOT, its glibc ${glibc:-?}"
	if chroot "$ROOT" dpkg-query -W libbpf1 libelf1 libdw1 libncursesw6 libcap2 2>/dev/null | grep -q .; then
		echo "  note: the root has some of the libraries; the binary does not use them"
	fi
	cp "$KTOP_STATIC" "$ROOT/ktop"
	mount -t proc proc "$ROOT/proc"
	mount --rbind /sys "$ROOT/sys" && mount --make-rslave "$ROOT/sys"
	mount --rbind /dev "$ROOT/dev" && mount --make-rslave "$ROOT/dev"

	v=$(in_root /ktop --version 2>&1)
	if [[ $v == "ktop "* ]]; then ok "--version: $v"; else bad "--version: $v"; fi

	out=$(in_root /ktop -b -n 2 -d 0.5 2>"$TMPD/err"); rc=$?
	if [ $rc = 0 ] && grep -q '^== Syscalls (' <<<"$out" && grep -qE '^(read|futex|openat|ppoll|write) ' <<<"$out"; then
		ok "-b -n 2: exit 0, Syscalls rows ($(grep -c '^== ' <<<"$out") sections)"
	else bad "-b -n 2: exit $rc: $(head -c 300 <<<"$out") $(cat "$TMPD/err")"; fi
	grep -i 'disabled' <<<"$out" | sed 's/^/    note: /' | head -4

	# tracefs is not needed (tp_btf, raw_tp): none in the root for this run
	umount "$ROOT/sys/kernel/tracing" "$ROOT/sys/kernel/debug" 2>/dev/null
	in_root /ktop -b --json -n 2 -d 0.5 > "$TMPD/json" 2>"$TMPD/err"; rc=$?
	echo "    $(head -c 300 "$TMPD/json")"
	n=$(wc -l < "$TMPD/json")
	if [ $rc = 0 ] && [ "$n" = 2 ] && tail -1 "$TMPD/json" | jq -e '(.syscalls.rows | length > 0) and
	    ([.syscalls, .memory, .locks, .io] | all(has("disabled") | not))' >/dev/null 2>&1; then
		ok "--json -n 2 without tracefs: 2 lines, every tab running, syscall rows"
	else bad "--json -n 2: exit $rc, $n lines: $(tail -1 "$TMPD/json" | head -c 300) $(cat "$TMPD/err")"; fi

	dash "TERM=xterm-256color" TERM=xterm-256color
	dash "TERM=xterm-256color LANG=C.UTF-8" TERM=xterm-256color LANG=C.UTF-8
	if grep -q 'TIME%▼' "$TMPD/drawn"; then echo "    note: the root's C.UTF-8 locale loaded: UTF-8 drawing"
	else echo "    note: the root's C.UTF-8 locale did not load: ASCII drawing ($(grep -o 'TIME%.' "$TMPD/drawn"))"; fi

	m=$(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb chroot "$ROOT" /ktop 2>&1); rc=$?
	if [ $rc = 2 ] && grep -q 'use -b' <<<"$m"; then ok "TERM=dumb: exit 2, says what to do"; else bad "TERM=dumb: exit $rc: $m"; fi
	m=$(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=no-such-term chroot "$ROOT" /ktop 2>&1); rc=$?
	if [ $rc = 2 ] && grep -q 'unknown terminal type' <<<"$m"; then ok "unknown TERM: exit 2, says what to do"; else bad "unknown TERM: exit $rc: $m"; fi

	# the root without any terminfo: the built-in entries
	mkdir -p "$ROOT/.ktop-hidden"
	for d in etc/terminfo lib/terminfo usr/share/terminfo; do
		[ -e "$ROOT/$d" ] || continue
		mkdir -p "$ROOT/.ktop-hidden/${d%/*}" && mv "$ROOT/$d" "$ROOT/.ktop-hidden/$d" && hidden+=("$d")
	done
	if env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=xterm-256color chroot "$ROOT" /usr/bin/infocmp >/dev/null 2>&1; then
		bad "terminfo still found in the root after hiding ${hidden[*]}"
	fi
	dash "no terminfo in the root, TERM=xterm-256color" TERM=xterm-256color
	if grep -q 'using the built-in' "$TMPD/screen"; then ok "says it uses the built-in entry"
	else bad "no word of the built-in entry"; sed 's/^/    | /' "$TMPD/screen"; fi
	dash "no terminfo in the root, TERM=tmux-256color" TERM=tmux-256color
	left=$(ls -d "$ROOT"/tmp/ktop-terminfo.* 2>/dev/null)
	if [ -z "$left" ]; then ok "the private terminfo directory is removed"; else bad "left behind: $left"; fi
	m=$(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=vt52 chroot "$ROOT" /ktop 2>&1); rc=$?
	if [ $rc = 2 ] && grep -q 'unknown terminal type TERM=vt52' <<<"$m"; then ok "no terminfo, TERM=vt52 (not built in): exit 2"
	else bad "no terminfo, TERM=vt52: exit $rc: $m"; fi
	for d in "${hidden[@]}"; do mv "$ROOT/.ktop-hidden/$d" "$ROOT/$d"; done
	hidden=()
	find "$ROOT/.ktop-hidden" -depth -type d -empty -delete

	for d in dev sys proc; do umount -R "$ROOT/$d"; done
	rm -f "$ROOT/ktop"
	ROOT=""
done
finish
