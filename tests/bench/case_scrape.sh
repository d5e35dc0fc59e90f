#!/bin/bash
# The cost of --listen: the exposition ktop builds once per interval (its own
# ktop_exposition_build_seconds gauge, CPU of the collecting thread), the CPU
# of the HTTP thread per scrape of the full exposition (300 scrapes on one
# keep-alive connection; the main thread's time is left out), and the
# exposition's size in bytes and series, for the default --metrics-top and
# --metrics-top 200. Then the accuracy histogram_quantile() loses on the
# exported buckets (build/bench/prom_accuracy).
# Knobs: SCRAPE_N (scrapes per measurement, default 300).
. "$(dirname "$0")/lib.sh"

N=${SCRAPE_N:-300}
[ "$BENCH_QUICK" = 1 ] && N=${SCRAPE_N:-100}
command -v curl > /dev/null || { warn "needs curl"; exit 1; }
mount_tracefs
port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 30000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo $p; return; }
	done
}
# CPU of a process's threads other than the main one, in ns
others_ns() {
	local t s=0 v
	for t in /proc/"$1"/task/*; do
		[ "${t##*/}" = "$1" ] && continue
		read -r v _ < "$t/schedstat" 2>/dev/null && s=$((s + v))
	done
	echo $s
}
for top in 10 200; do
	P=$(port)
	URL=http://127.0.0.1:$P/metrics
	tracer_start ktop "$KTOP" -b -q -d 1 --listen "127.0.0.1:$P" --metrics-top $top
	pid=$TRACER_PID
	for _ in $(seq 1 200); do curl -sf -o /dev/null "$URL" && break; sleep 0.1; done
	sleep 3				# a few intervals: tables filled
	curl -s "$URL" > "$TMPD/expo.txt"
	bytes=$(wc -c < "$TMPD/expo.txt")
	series=$(grep -vc '^#' "$TMPD/expo.txt")
	build=$(awk '$1 == "ktop_exposition_build_seconds" { printf "%.2f", $2 * 1000 }' "$TMPD/expo.txt")
	args=()
	for _ in $(seq 1 "$N"); do args+=("$URL" -o /dev/null); done
	c0=$(others_ns "$pid")
	t0=$(now_ns)
	curl -s "${args[@]}"
	t1=$(now_ns)
	c1=$(others_ns "$pid")
	per=$(calc "($c1 - $c0) / $N / 1000")
	wall=$(calc "($t1 - $t0) / $N / 1000000")
	say "  --metrics-top $top: $bytes bytes, $series series; build $build ms CPU per interval;" \
	    "HTTP thread $per us CPU per scrape; $wall ms per scrape end to end (curl, loopback)"
	result "top $top: exposition size (bytes)" "$bytes"
	result "top $top: series per scrape" "$series"
	result "top $top: build CPU per interval (ms)" "$build"
	result "top $top: HTTP thread CPU per scrape (us)" "$per"
	tracer_stop "$pid"
done
reproduce "$KTOP -b -q --listen 127.0.0.1:9580 & curl -s 127.0.0.1:9580/metrics | wc -c"
B=${BENCH_O:-build}
if [ -x "$B/bench/prom_accuracy" ]; then
	"$B/bench/prom_accuracy" | tail -1 | sed 's/^/  /'
	result "histogram_quantile worst error, lognormal p99 (%)" \
		"$("$B/bench/prom_accuracy" | awk '/^worst/ { sub("%", "", $NF); print $NF }')"
fi
