#!/bin/bash
# A program the kernel's verifier rejects is reported as a verifier
# rejection. KTOP_TEST_VERIFIER_REJECT=1 leaves an access the verifier must
# refuse reachable in sys_exit (a number used as a pointer): its tp_btf
# flavour is rejected, retried as raw_tp, rejected again. The message names
# the program, the kernel release and the verifier's last line, and blames
# no privilege (we are root); with -v the verifier's whole log is printed,
# from its first instruction to its statistics line.
# raw_tp: yes
. tests/integ/lib.sh
need_root
need_tp sys_exit
REL=$(uname -r)
KTOP_TEST_VERIFIER_REJECT=1 "$KTOP" -b -n 1 --panes syscalls > "$TMPD/out" 2> "$TMPD/err"
assert_eq "exit status when no collector loads" 1 $?
sed 's/^/    stderr: /' "$TMPD/err"
check "says the verifier rejected a sys_exit program" \
	grep -qE "the verifier rejected program 'sys_exit_(btf|raw)'" "$TMPD/err"
check "names the kernel release" grep -qF "on Linux $REL" "$TMPD/err"
check "quotes the verifier's last line" grep -qE "R[0-9]+ invalid mem access" "$TMPD/err"
check "no privilege hint for a verifier rejection" bash -c "! grep -q 'run as root' '$TMPD/err'"
if [ "${KTOP_FORCE_RAW_TP:-}" != 1 ] && [ -e /sys/kernel/btf/vmlinux ]; then
	check "tp_btf rejection retried as raw_tp" grep -qF "'sys_exit_raw'" "$TMPD/err"
fi

KTOP_TEST_VERIFIER_REJECT=1 "$KTOP" -v -b -n 1 --panes syscalls > "$TMPD/out" 2> "$TMPD/verr"
assert_eq "exit status with -v" 1 $?
# the whole log of the last rejected program, between libbpf's markers
awk "/prog 'sys_exit_raw': -- BEGIN PROG LOAD LOG --/ { on = 1; next } /-- END PROG LOAD LOG --/ { on = 0 } on" \
	"$TMPD/verr" > "$TMPD/log"
echo "    -v log: $(wc -l < "$TMPD/log") lines"
check "-v prints the verifier log" test -s "$TMPD/log"
check "-v log starts at the first instruction" grep -qE '^0: ' "$TMPD/log"
check "-v log has the verifier's own words" grep -qE "R[0-9]+ invalid mem access" "$TMPD/log"
check "-v log is whole (ends with its statistics)" grep -qE '^processed [0-9]+ insns' "$TMPD/log"
finish
