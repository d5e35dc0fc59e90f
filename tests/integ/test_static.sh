#!/bin/bash
# The static binary (make static) alone in cached Debian 11 and 12 minbase
# roots: batch, JSON, the dashboard with and without the root's terminfo.
# The roots are not downloaded here: `make test-static` makes them once
# (debootstrap, cached in /var/tmp/static-test); without them this skips.
KTOP_STATIC=${KTOP_STATIC:-./ktop-static}
[ -x "$KTOP_STATIC" ] || { echo "SKIP: no static binary at $KTOP_STATIC (make static)"; exit 77; }
found=""
for s in bullseye bookworm; do
	[ -x "${STATIC_CACHE:-/var/tmp/static-test}/root-$s/bin/sh" ] && found="$found $s"
done
[ -n "$found" ] || { echo "SKIP: no cached minbase root in ${STATIC_CACHE:-/var/tmp/static-test} (make test-static makes them)"; exit 77; }
STATIC_FETCH=0 KTOP_STATIC="$KTOP_STATIC" exec tests/static/run.sh
