#!/bin/bash
# Bad input: every bad option or value prints one clear line on stderr (plus
# the --help hint) and exits 2 before touching the kernel or the terminal;
# missing privilege exits 3 naming the capabilities; -o never writes through
# a symlink; --help and the man page list the same options.
. tests/integ/lib.sh
need_root
usage() {	# usage DESC EXPECTED_WORD ARGS...
	local d=$1 w=$2 rc; shift 2
	"$KTOP" "$@" > "$TMPD/o" 2> "$TMPD/e"; rc=$?
	assert_eq "$d: exit status" 2 $rc
	check "$d: message names '$w'" grep -q -- "$w" "$TMPD/e"
	assert_eq "$d: one message line" 1 "$(grep -vc "^Try 'ktop --help'" "$TMPD/e")"
	check "$d: the line starts with ktop:" grep -q '^ktop: ' "$TMPD/e"
	check "$d: nothing on stdout" test ! -s "$TMPD/o"
}
usage "unknown option" "--bogus" --bogus
usage "unknown short option" "-z" -z
usage "-d not a number" "-d" -b -d abc
usage "-d zero" "-d" -b -d 0
usage "-d negative" "-d" -b -d -1
usage "-n zero" "-n" -b -n 0
usage "-n negative" "-n" -b -n -3
usage "-n not a number" "-n" -b -n 1x
usage "-p not a number" "-p" -b -p abc
usage "-p no such process" "no such process" -b -p 4194000
usage "-t unknown tab" "-t" -t disks
usage "--panes unknown pane" "--panes" --panes syscalls,gpu
usage "--mem-mode unknown" "--mem-mode" --mem-mode heap
usage "--json without -b" "--json" --json
usage "missing value" "-d" -b -d
usage "unreadable replay" "--replay" --replay "$TMPD/nope.ndjson"
echo '{"not": "ktop"}' > "$TMPD/foreign.json"
usage "replay of a foreign file" "not a ktop" --replay "$TMPD/foreign.json"

"$KTOP" -h > "$TMPD/help"; assert_eq "-h exits 0" 0 $?
check "-V prints the version" bash -c "'$KTOP' -V | grep -q '^ktop '"
# built from this checkout: the version is the commit built, not an older one
# (make test builds first, so the two describe the same tree)
if git rev-parse --git-dir >/dev/null 2>&1 && [ "$(dirname "$(readlink -f "$KTOP")")" = "$(pwd -P)" ]; then
	assert_eq "-V names the commit built" "ktop $(git describe --always --dirty)" "$("$KTOP" -V)"
fi
for opt in $(grep -oE -- '--[a-z][a-z-]+' "$TMPD/help" | sort -u); do
	check "man page documents $opt" grep -q -- "$(sed 's/-/\\\\-/g' <<<"$opt")" docs/ktop.1
done

# privilege: as nobody, without capabilities
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$KTOP" -b -n 1 \
		> "$TMPD/o" 2> "$TMPD/e"; rc=$?
	assert_eq "unprivileged: exit status" 3 $rc
	check "unprivileged: names CAP_BPF and CAP_PERFMON" grep -q 'CAP_BPF.*CAP_PERFMON' "$TMPD/e"
	check "unprivileged: nothing on stdout" test ! -s "$TMPD/o"
else
	echo "  (setpriv missing: privilege case not run)"
fi

# -o: never through a symlink; the target stays untouched
echo precious > "$TMPD/target"
ln -s "$TMPD/target" "$TMPD/link"
"$KTOP" -b -n 1 -d 0.2 --panes syscalls -o "$TMPD/link" 2> "$TMPD/e"; rc=$?
assert_eq "-o through a symlink: exit status" 1 $rc
check "-o through a symlink: says so" grep -q symlink "$TMPD/e"
assert_eq "-o through a symlink: target untouched" precious "$(cat "$TMPD/target")"
"$KTOP" -b --json -n 1 -d 0.2 --panes syscalls -o "$TMPD/out.json"; rc=$?
assert_eq "-o to a plain file: exit status" 0 $rc
check "-o to a plain file: one JSON line" jq -e .iteration "$TMPD/out.json"
finish
