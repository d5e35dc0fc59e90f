#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The house figures of docs/design.md ("The house"), recomputed for a tree:
# source files over 600 lines, functions over 80 lines, the source files
# that name more than one tab, and blocks of 10+ lines copied between files.
# Usage: scripts/house-figures.sh [DIR]   (default: this checkout)
# For the figures of another commit: git archive REV | tar -x -C /tmp/t;
# scripts/house-figures.sh /tmp/t
cd "${1:-$(dirname "$0")/..}" || exit 1
src=$(ls core/*.[ch] ui/*.[ch] bpf/*.[ch] ktop.c 2>/dev/null)

echo "== source files over 600 lines"
wc -l $src | sort -rn | awk '$2 != "total" && $1 > 600'

echo "== functions over 80 lines (name line to closing brace)"
awk 'FNR == 1 { name = "" }
     /^[A-Za-z_].*\(/ && !/;[[:space:]]*$/ && !/^(static )?const / { name = $0; start = FNR }
     /^}/ && name != "" { if (FNR - start + 1 > 80) printf "%4d %s:%d %s\n", FNR - start + 1, FILENAME, start, name; name = "" }' \
	$(ls core/*.c ui/*.c bpf/*.c ktop.c 2>/dev/null) | sort -rn

echo "== source files naming more than one tab"
for f in $(ls core/*.[ch] core/*.def ui/*.[ch] ktop.c 2>/dev/null); do
	n=$(grep -ohE 'KTOP_TAB_(SYSCALLS|MEMORY|LOCKS|IO)\b|\b(col|out_json|out_text|replay|scr)_(syscalls|memory|locks|io)\b|"(syscalls|memory|locks|io|Syscalls|Memory|Locks|I/O)"' "$f" |
		sed -E 's/.*(SYSCALLS|syscalls|Syscalls).*/sc/; s/.*(MEMORY|memory|Memory).*/mem/;
			s/.*(LOCKS|locks|Locks).*/lock/; s/.*(IO|io|I\/O).*/io/' | sort -u | wc -l)
	[ "$n" -gt 1 ] && echo "$n $f"
done

echo "== blocks of 10+ lines shared between source files (tests excluded)"
if command -v duplicates >/dev/null; then
	tmp=$(mktemp -d)
	cp -r core ui bpf include "$tmp"/ 2>/dev/null
	duplicates --repo "$tmp" --min-lines 10 --most 40 | grep -v boilerplate
	rm -rf "$tmp"
else
	echo "(duplicates not installed: see /work/.library/duplicates/README.md)"
fi
