#!/bin/bash
# Run every integration test; the BPF ones run once more with
# KTOP_FORCE_RAW_TP=1 so the raw_tp fallback is exercised too, and those
# marked "# tid-hash: yes" once more with KTOP_FORCE_TID_HASH=1 (per-thread
# state in thread-id hashes, as on kernels before 5.12).
# Prints "integ: N passed, N failed, N skipped" and records it.
cd "$(dirname "$0")/../.." || exit 1
. tests/env.sh
pass=0 fail=0 skipn=0 skipped=()
mkdir -p build
KTOP_SKIPS=${KTOP_RESULTS:-build/test-results.txt}; KTOP_SKIPS=${KTOP_SKIPS%.txt}-skips.txt
run_one() {	# run_one NAME ENV...
	local t=$1 out rc to t0=$SECONDS; shift
	# a test may need more than 300 s on a busy machine: "# timeout: SECS"
	to=$(sed -n 's/^# timeout: \([0-9][0-9]*\)$/\1/p' "$t" | head -1)
	out=$(env "$@" timeout "${to:-300}" bash "$t" 2>&1); rc=$?
	sk=$(grep '^  SKIP-CHECK: ' <<<"$out" | sed 's/^  SKIP-CHECK: //')
	if [ -n "$sk" ]; then
		skipn=$((skipn + $(wc -l <<<"$sk")))
		while IFS= read -r l; do echo "SKIP $t $*: $l"; skipped+=("$t $*: $l"); done <<<"$sk"
	fi
	case $rc in
	0) pass=$((pass + 1)); echo "PASS $t $* ($((SECONDS - t0)) s)";;
	77) skipn=$((skipn + 1)); l=$(grep -m1 '^SKIP' <<<"$out" | sed 's/^SKIP: //')
	    echo "SKIP $t $*: $l"; skipped+=("$t $*: $l");;
	*) fail=$((fail + 1)); echo "FAIL $t $* (exit $rc, $((SECONDS - t0)) s)"; sed 's/^/    /' <<<"$out";;
	esac
	[ -n "${VERBOSE:-}" ] && [ $rc = 0 ] && sed 's/^/    /' <<<"$out"
}
for t in tests/integ/test_*.sh; do
	[ -n "${ONLY:-}" ] && [[ $t != *$ONLY* ]] && continue
	run_one "$t"
	if grep -q '^# raw_tp: yes' "$t"; then
		run_one "$t" KTOP_FORCE_RAW_TP=1
	fi
	if grep -q '^# tid-hash: yes' "$t"; then
		run_one "$t" KTOP_FORCE_TID_HASH=1
	fi
done
for l in "${skipped[@]}"; do echo "skipped: $l"; echo "integ: $l" >> "$KTOP_SKIPS"; done
echo "integ: $pass passed, $fail failed, $skipn skipped"
echo "integ $pass $fail $skipn" >> "${KTOP_RESULTS:-build/test-results.txt}"
[ $fail = 0 ]
