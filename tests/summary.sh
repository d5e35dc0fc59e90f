#!/bin/bash
# Sum what each test stage recorded in build/test-results.txt and print the closing line.
cd "$(dirname "$0")/.." || exit 1
r=${KTOP_RESULTS:-build/test-results.txt}
[ -s "${r%.txt}-skips.txt" ] && sed 's/^/skipped: /' "${r%.txt}-skips.txt"
awk '{ p += $2; f += $3; s += $4 } END { printf "%d passed, %d failed, %d skipped\n", p, f, s; exit f > 0 }' \
	"${KTOP_RESULTS:-build/test-results.txt}"
