#!/bin/bash
# Regenerate screenshots/*.png of the four tabs from a real run with workloads:
# ktop runs in an xterm on a virtual X server (Xvfb) and ImageMagick grabs the
# window. Needs root (BPF). Installs xvfb, xterm, imagemagick and a font when
# missing. Usage: scripts/screenshots.sh [KTOP] (default ./ktop)
set -u
cd "$(dirname "$0")/.." || exit 1
KTOP=$(readlink -f "${1:-./ktop}")
WL=${WL:-build/workloads}
OUT=screenshots
need="xvfb xterm imagemagick fonts-dejavu-core x11-utils"
missing=""
for p in $need; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"; done
if [ -n "$missing" ]; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null || exit 1
fi
[ -x "$KTOP" ] || { echo "screenshots: build ktop first (make)" >&2; exit 1; }
make -s $(ls tests/workloads/*.c | sed "s|tests/workloads/\(.*\)\.c|$WL/\1|") >/dev/null 2>&1

DISP=:77
Xvfb $DISP -screen 0 1100x700x24 -nolisten tcp >/dev/null 2>&1 &
XPID=$!
pids=()
TMPD=$(mktemp -d /tmp/ktop-shots.XXXXXX)
cleanup() { kill "${pids[@]}" 2>/dev/null; kill $XPID 2>/dev/null; rm -rf "$TMPD"; }
trap cleanup EXIT
sleep 1
mkdir -p $OUT

# workloads: syscalls of several kinds, lock contention, kernel allocations, direct I/O
"$WL/thread_storm" storm 1 90 & pids+=($!)
"$WL/lock_mmap" 4 90 >/dev/null 2>&1 & pids+=($!)
"$WL/mem_hoard" hoard 3000 20 >/dev/null 2>&1 & pids+=($!)
"$WL/mem_hoard" churn 3000 20 >/dev/null 2>&1 & pids+=($!)
sleep 0.5; kill -USR1 "${pids[-1]}" "${pids[-2]}"	# start hoarding and churning
( while :; do dd if=/dev/zero of="$TMPD/io" bs=4k count=2000 oflag=direct 2>/dev/null
	dd if="$TMPD/io" of=/dev/null bs=4k iflag=direct 2>/dev/null; done ) & pids+=($!)

shot() {	# shot NAME TAB
	local xp wid
	DISPLAY=$DISP xterm -geometry 120x36+0+0 -fa 'DejaVu Sans Mono' -fs 10 -bg black -fg gray85 \
		-title ktop -e env LANG=C.UTF-8 TERM=xterm-256color "$KTOP" -t "$2" &
	xp=$!
	sleep 6
	wid=$(DISPLAY=$DISP xwininfo -name ktop 2>/dev/null | awk '/Window id/ {print $4}')
	DISPLAY=$DISP import -window "${wid:-root}" "$OUT/$1.png"
	kill $xp 2>/dev/null; wait $xp 2>/dev/null
	echo "screenshots: $OUT/$1.png"
}
shot syscalls syscalls
shot memory memory
shot locks locks
shot io io
