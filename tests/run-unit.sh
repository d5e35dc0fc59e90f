#!/bin/bash
# Run the cmocka unit-test binaries given as arguments; summarize and record.
cd "$(dirname "$0")/.." || exit 1
. tests/env.sh
pass=0 fail=0
mkdir -p build
for b in "$@"; do
	out=$("$b" 2>&1); rc=$?
	p=$(grep -oE '^\[  PASSED  \] [0-9]+' <<<"$out" | grep -oE '[0-9]+$' | head -1)
	f=$(grep -oE '^\[  FAILED  \] [0-9]+' <<<"$out" | grep -oE '[0-9]+$' | head -1)
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
	if [ $rc != 0 ]; then
		[ -z "$f" ] && fail=$((fail + 1))
		echo "FAIL $b"; echo "$out" | sed 's/^/    /'
	else
		echo "PASS $b (${p:-0} tests)"
	fi
done
echo "unit: $pass passed, $fail failed"
echo "unit $pass $fail 0" >> "${KTOP_RESULTS:-build/test-results.txt}"
[ $fail = 0 ]
