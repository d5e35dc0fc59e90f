#!/bin/bash
# A kernel without BTF (CONFIG_DEBUG_INFO_BTF=n, or older than Debian 11's):
# every tab says that BTF is what is missing, not its own tracepoints, and
# ktop exits 1. Simulated by hiding /sys/kernel/btf/vmlinux behind an empty
# file in a private mount namespace.
. tests/integ/lib.sh
need_root
need_cmd unshare
: > "$TMPD/empty"
# --propagation unchanged: in a chroot "/" is no mount point and unshare's
# default (make / private) fails; /sys is made private instead, so the bind
# mount never reaches the caller's namespace.
unshare -m --propagation unchanged sh -c "mount --make-rprivate /sys &&
	mount --bind '$TMPD/empty' /sys/kernel/btf/vmlinux && exec '$KTOP' -b -n 1" \
	> "$TMPD/out" 2> "$TMPD/err"
rc=$?
grep -qE '^(unshare|mount): ' "$TMPD/err" &&
	skip "cannot hide the BTF file in a private mount namespace here: $(grep -m1 -E '^(unshare|mount): ' "$TMPD/err")"
sed 's/^/  stderr: /' "$TMPD/err" | head -3
assert_eq "exit status without BTF" 1 $rc
assert_eq "tabs that say BTF is missing" 4 "$(grep -c 'tab disabled: the kernel has no usable BTF' "$TMPD/err")"
check "the message names the kernel option" grep -q 'CONFIG_DEBUG_INFO_BTF=y' "$TMPD/err"
check "no tab blames its tracepoints" bash -c "! grep -q 'has no .*tracepoint' '$TMPD/err'"
check "nothing on stdout" test ! -s "$TMPD/out"
finish
