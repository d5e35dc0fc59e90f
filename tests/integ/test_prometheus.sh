#!/bin/bash
# --listen, scraped by Debian's real Prometheus (1 s scrape interval, on
# loopback, private TSDB in the test's temp dir) and asked through its HTTP
# API. Phase A, ktop unfiltered with every tab: the workload's getppid
# calls (counter increase over the window within 5% of the workload's own
# count), an mmap_lock's contention, a leak suspect; promtool finds no
# problem in the exposition while a process with a hostile name runs.
# Phase A2, --panes io as in test_io.sh: exact request counts on a loop
# device nothing else touches (/sys/block stat deltas, ktop's own JSON and
# Prometheus agree). Phase B, ktop -p on
# a workload that sleeps 20 ms: histogram_quantile(0.5) within the bucket
# error of docs/metrics.md. Phase C: 200 idle connections and one 10 MB
# request leave ktop's intervals on time and its RSS within the documented
# bound. Phase D: series per scrape under a 3,000-process fork storm stay
# below the documented ceiling. Also: -b -q prints nothing, a non-loopback
# address is only used when given.
# timeout: 900
. tests/integ/lib.sh
need_root
need_cmd jq
need_cmd curl
need_cmd prometheus
need_cmd promtool
need_cmd losetup
need_tp block_rq_complete
for w in getppid_loop sc_known io_direct lock_mmap mem_hoard evil_comm bench_forks http_hostile; do
	[ -x "$WL/$w" ] || skip "workload $WL/$w not built"
done
CEILING=$((17432 + 7 * 10))	# docs/metrics.md, --metrics-top 10
RSS_BOUND_KB=$((16 * 1024))	# docs/metrics.md: growth from hostile clients
LOOP= PROM_PID= KTOP_PID= WPIDS=
cleanup() {
	# shellcheck disable=SC2086
	[ -n "$WPIDS" ] && kill $WPIDS 2>/dev/null
	[ -n "$KTOP_PID" ] && kill "$KTOP_PID" 2>/dev/null && wait "$KTOP_PID" 2>/dev/null
	[ -n "$PROM_PID" ] && kill "$PROM_PID" 2>/dev/null && wait "$PROM_PID" 2>/dev/null
	[ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null
	rm -rf "$TMPD"
}
trap cleanup EXIT

# A free loopback port: nothing answers a connect to it.
free_port() {
	local p i
	for i in $(seq 1 50); do
		p=$((20000 + RANDOM % 30000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo $p; return 0; }
	done
	return 1
}
KP=$(free_port) PP=$(free_port)
[ -n "$KP" ] && [ -n "$PP" ] && [ "$KP" != "$PP" ] || skip "no free loopback port"
URL=http://127.0.0.1:$KP/metrics

# ktop_up ARGS...: ktop -b --json --listen 127.0.0.1:$KP ARGS in the
# background (stopped by timeout even if this script dies), JSON lines in
# $TMPD/out.json; waits until /metrics answers 200.
ktop_up() {
	timeout -s INT 600 "$KTOP" -b --json --listen "127.0.0.1:$KP" "$@" \
		> "$TMPD/out.json" 2> "$TMPD/err.txt" &
	KTOP_PID=$!
	local i
	for i in $(seq 1 200); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL")" = 200 ] && return 0
		kill -0 $KTOP_PID 2>/dev/null || { cat "$TMPD/err.txt"; return 1; }
		sleep 0.1
	done
	return 1
}
ktop_down() {
	kill -INT "$KTOP_PID"; wait "$KTOP_PID"; local rc=$?
	KTOP_PID=
	return $rc
}
# q EXPR [TIME]: the first value of an instant query, or "none"
q() {
	curl -s "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$1" \
		${2:+--data-urlencode "time=$2"} | jq -r '.data.result[0].value[1] // "none"'
}
now() { date +%s.%N; }
# wait until Prometheus has a sample of ktop newer than $1 (at most 10 s)
scraped_after() {
	local i t
	for i in $(seq 1 50); do
		t=$(q "timestamp(ktop_scrapes_total)")
		[ "$t" != none ] && awk -v a="$t" -v b="$1" 'BEGIN { exit !(a > b) }' && return 0
		sleep 0.2
	done
	return 1
}

# ---- -b -q, and the address rules (no Prometheus yet) ---------------------
timeout -s INT 60 "$KTOP" -b -q -d 0.3 --panes syscalls --listen "$KP" > "$TMPD/q.out" 2> "$TMPD/q.err" &
KTOP_PID=$!
for i in $(seq 1 100); do curl -s -o /dev/null "$URL" && break; sleep 0.1; done
sleep 1
check "-b -q --listen PORT: serves on loopback" curl -sf -o /dev/null "$URL"
check "-b -q: a 404 elsewhere" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$KP/x")" = 404
check "-b -q: POST refused (405)" test "$(curl -s -o /dev/null -w '%{http_code}' -d x "$URL")" = 405
ct=$(curl -s -o /dev/null -w '%{content_type}' "$URL")
check "text format 0.0.4 by default ($ct)" grep -q 'text/plain; version=0.0.4' <<<"$ct"
curl -s -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5' "$URL" > /dev/null
sleep 0.8				# the next interval builds OpenMetrics too
ct=$(curl -s -o "$TMPD/om.txt" -w '%{content_type}' -H 'Accept: application/openmetrics-text;version=1.0.0' "$URL")
check "OpenMetrics when asked ($ct)" grep -q 'application/openmetrics-text; version=1.0.0' <<<"$ct"
check "OpenMetrics ends with # EOF" test "$(tail -1 "$TMPD/om.txt")" = "# EOF"
lan=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ sub("/.*", "", $4); print $4; exit }')
if [ -n "$lan" ]; then
	check "not reachable on $lan unless asked" bash -c "! curl -s -m 2 -o /dev/null http://$lan:$KP/metrics"
fi
ktop_down; assert_eq "-b -q exit status after SIGINT" 0 $?
assert_eq "-b -q wrote nothing to stdout" 0 "$(wc -c < "$TMPD/q.out")"
"$KTOP" -b -q --listen 127.0.0.1:99999 > /dev/null 2>&1
assert_eq "bad --listen port: usage error" 2 $?

# ---- Prometheus ------------------------------------------------------------
cat > "$TMPD/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: ktop
    static_configs:
      - targets: ['127.0.0.1:$KP']
EOF
promtool check config "$TMPD/prometheus.yml" > /dev/null || bad "promtool check config"
# timeout: Prometheus goes away by itself even if this script is killed
timeout -s TERM 890 prometheus --config.file="$TMPD/prometheus.yml" \
	--storage.tsdb.path="$TMPD/tsdb" --web.listen-address="127.0.0.1:$PP" \
	--storage.tsdb.retention.time=1h > "$TMPD/prom.log" 2>&1 &
PROM_PID=$!
for i in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$PP/-/ready" && break; sleep 0.2; done
curl -sf -o /dev/null "http://127.0.0.1:$PP/-/ready" || { bad "prometheus did not start"; tail "$TMPD/prom.log"; finish; }
ok "prometheus $(prometheus --version 2>&1 | awk 'NR == 1 { print $3 }') on 127.0.0.1:$PP, ktop on 127.0.0.1:$KP"

# ---- phase A: unfiltered, every tab ---------------------------------------
truncate -s 64M "$TMPD/disk.img"
LOOP=$(losetup -f --show "$TMPD/disk.img" 2>"$TMPD/losetup.err") ||
	skip "cannot set up a loop device: $(cat "$TMPD/losetup.err")"
DEV=${LOOP#/dev/}
command -v udevadm >/dev/null && udevadm settle 2>/dev/null
: > "$TMPD/h.out"
"$WL/mem_hoard" hoard 120 50 > "$TMPD/h.out" &
H=$!
WPIDS="$H"
ktop_up -d 0.5 --leak-age 2 --metrics-top 50 || { bad "ktop did not start"; finish; }
t0=$(now)
scraped_after "$t0" || bad "prometheus does not scrape ktop"
statf() { awk -v f="$2" '{ print $f }' "/sys/block/$1/stat"; }
# q0 EXPR TIME: q, with "none" (no series yet) as 0
q0() { local v; v=$(q "$@"); [ "$v" = none ] && v=0; echo "$v"; }
N=1000000
g0=$(q 'ktop_syscall_duration_seconds_count{syscall="getppid"}')
tA=$(now)
"$WL/getppid_loop" $N > "$TMPD/g.out"
"$WL/evil_comm" 4 &
E=$!
WPIDS="$H $E"
kill -USR1 $H				# the hoarder starts: a pipe every 50 ms for 6 s
mkfifo "$TMPD/go"
"$WL/lock_mmap" 6 4 "$TMPD/go" "$TMPD/done" > "$TMPD/l.out" &
L=$!
echo x > "$TMPD/go"
sleep 1.5
curl -s "$URL" > "$TMPD/evil.txt"
promtool check metrics < "$TMPD/evil.txt" > "$TMPD/promtool.out" 2>&1
rc=$?
assert_eq "promtool check metrics (hostile comm running): exit status" 0 $rc
assert_eq "promtool check metrics: problems reported" 0 "$(wc -l < "$TMPD/promtool.out")"
[ -s "$TMPD/promtool.out" ] && head -5 "$TMPD/promtool.out"
if grep -q "pid=\"$E\"" "$TMPD/evil.txt"; then
	ok "the hostile process has series: $(grep -m1 "pid=\"$E\"" "$TMPD/evil.txt")"
	check "its comm escaped: no ESC byte in the exposition" bash -c "! grep -q $'\x1b' '$TMPD/evil.txt'"
fi
check "exposition is valid UTF-8" iconv -f UTF-8 -t UTF-8 "$TMPD/evil.txt" -o /dev/null
wait $L
wait $E 2>/dev/null
for i in $(seq 1 200); do grep -q "done 120" "$TMPD/h.out" && break; sleep 0.05; done
sleep 3				# every interval reported and scraped
tB=$(now)
scraped_after "$tB" || bad "no scrape after the workloads"
sleep 1.5
tB=$(now)
W=$(awk -v a="$tA" -v b="$tB" 'BEGIN { printf "%d", b - a + 1 }')
# the window: the counter at the end minus the counter before the workload
# (sum() and "or vector(0)": on a quiet machine nothing called getppid
# before the workload, so the series did not exist yet at the window's start)
inc=$(q "sum(ktop_syscall_duration_seconds_count{syscall=\"getppid\"}) - (sum(ktop_syscall_duration_seconds_count{syscall=\"getppid\"} offset ${W}s) or vector(0))" "$tB")
[ "$g0" = none ] && g0=0
echo "  getppid: workload $N calls; Prometheus: $inc over ${W}s (before: $g0)"
assert_range "getppid counter increase over the window (within 5%)" $((N * 95 / 100)) $((N * 105 / 100)) "$inc"
rate=$(q "rate(ktop_syscall_duration_seconds_count{syscall=\"getppid\"}[${W}s])" "$tB")
echo "  note: rate() over the window: $rate/s, x ${W}s = $(awk -v r="$rate" -v w="$W" 'BEGIN { printf "%d", r * w }') (extrapolated to the window's edges)"
lk=$(q "max_over_time(ktop_top_lock_contentions_per_second{lock=\"mmap_lock (pid $L)\",type=\"rwsem:w\"}[${W}s])" "$tB")
echo "  lock: mmap_lock (pid $L) peak $lk contentions/s"
check "Prometheus: mmap_lock (pid $L) among the top locks" awk -v v="$lk" 'BEGIN { exit !(v > 10) }'
wc=$(q "increase(ktop_lock_wait_seconds_count{type=\"rwsem:w\"}[${W}s])" "$tB")
check "Prometheus: rwsem:w waits counted ($wc)" awk -v v="$wc" 'BEGIN { exit !(v > 100) }'
assert_eq "Prometheus: the hoarder was a leak suspect" 1 \
	"$(q "max_over_time(ktop_memory_leak_suspect{pid=\"$H\"}[${W}s])" "$tB")"
check "Prometheus: hosts with a leak suspect (docs query)" \
	test "$(q "max_over_time(ktop_memory_leak_suspects[${W}s]) > 0" "$tB")" != none
# the three queries of docs/metrics.md: Prometheus accepts them (and the first has an answer)
qstatus() { curl -s "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$1" | jq -r .status; }
for expr in \
	'histogram_quantile(0.99, sum by (instance, le) (rate(ktop_syscall_duration_seconds_bucket[5m])))' \
	'histogram_quantile(0.99, sum by (instance, disk, le) (rate(ktop_io_request_duration_seconds_bucket[10m]))) > 2 * histogram_quantile(0.99, sum by (instance, disk, le) (rate(ktop_io_request_duration_seconds_bucket[10m] offset 1d)))' \
	'min_over_time(ktop_memory_leak_suspects[15m]) > 0' \
	'ktop_memory_outstanding_bytes and on (instance, pid) ktop_memory_leak_suspect'; do
	assert_eq "docs query accepted: ${expr:0:60}..." success "$(qstatus "$expr")"
done
check "docs query: p99 syscall latency per host has a value" \
	test "$(q 'histogram_quantile(0.99, sum by (instance, le) (rate(ktop_syscall_duration_seconds_bucket[5m])))')" != none
up=$(curl -s "http://127.0.0.1:$PP/api/v1/targets" | jq -r '.data.activeTargets[0] | "\(.health) \(.lastError)"')
assert_eq "Prometheus target health (OpenMetrics scrapes)" "up " "$up"
kill $H; wait $H 2>/dev/null; WPIDS=
ktop_down; assert_eq "phase A: ktop exit status" 0 $?

# ---- phase A2: exact I/O counts on the loop device, --panes io as in test_io.sh
ktop_up --panes io -d 0.5 || { bad "ktop --panes io did not start"; finish; }
t0=$(now); scraped_after "$t0"
tA=$(now)
r0=$(statf "$DEV" 1) w0=$(statf "$DEV" 5)
"$WL/io_direct" "$LOOP" 1500 1000 || bad "io_direct failed"
r1=$(statf "$DEV" 1) w1=$(statf "$DEV" 5)
sleep 1.5; tB=$(now); scraped_after "$tB" || bad "no scrape after the I/O"; sleep 1; tB=$(now)
assert_eq "stat: loop writes" 1500 $((w1 - w0))
assert_eq "stat: loop reads" 1000 $((r1 - r0))
io() {	# io OP: the increase of ktop_io_requests_total on the loop disk from tA to tB
	echo $(( $(q0 "ktop_io_requests_total{disk=\"$DEV\",op=\"$1\"}" "$tB") -
		 $(q0 "ktop_io_requests_total{disk=\"$DEV\",op=\"$1\"}" "$tA") ))
}
assert_eq "Prometheus: write requests on $DEV" $((w1 - w0)) "$(io write)"
assert_eq "Prometheus: read requests on $DEV" $((r1 - r0)) "$(io read)"
assert_eq "Prometheus: bytes written on $DEV" $((1500 * 4096)) "$(q "ktop_io_bytes_total{disk=\"$DEV\",op=\"write\"}" "$tB")"
assert_eq "Prometheus: write latency histogram count on $DEV" 1500 \
	"$(q "ktop_io_request_duration_seconds_count{disk=\"$DEV\",op=\"write\"}" "$tB")"
check "Prometheus: device time of $DEV > 0" awk -v v="$(q "ktop_io_device_seconds_total{disk=\"$DEV\",op=\"write\"}" "$tB")" 'BEGIN { exit !(v > 0) }'
ktop_down; assert_eq "phase A2: ktop exit status" 0 $?
# what /metrics said is what ktop measured: its JSON lines for the disk add up the same
jw=$(jq -s "[.[].io.rows[] | select(.disk == \"$DEV\" and .op == \"write\") | .count] | add // 0" "$TMPD/out.json")
assert_eq "ktop's own JSON: write requests on $DEV" $((w1 - w0)) "$jw"
losetup -d "$LOOP" && LOOP=

# ---- phase B: -p on a sleeper: histogram_quantile --------------------------
rm -f "$TMPD/go" "$TMPD/done"; mkfifo "$TMPD/go"
"$WL/sc_known" 1000 30 20 10 "$TMPD/go" "$TMPD/done" &
S=$!
WPIDS=$S
ktop_up -p $S --panes syscalls -d 0.5 || { bad "ktop -p did not start"; finish; }
t0=$(now); scraped_after "$t0"
echo x > "$TMPD/go"
for i in $(seq 1 200); do [ -e "$TMPD/done" ] && break; sleep 0.05; done
sleep 2; tB=$(now); scraped_after "$tB"; sleep 1; tB=$(now)
p50=$(q 'histogram_quantile(0.5, sum by (le) (ktop_syscall_duration_seconds_bucket{syscall="clock_nanosleep"}))' "$tB")
echo "  30 sleeps of 20 ms: histogram_quantile(0.5) = $p50 s (bucket (16.8, 33.6] ms: 25.2 ms expected)"
# docs/metrics.md: a point mass at v reads 1.5 * 2^k, within -25%..+50% of v
assert_range "p50 of the 20 ms sleeps within the documented bucket error" 0.015 0.030 "$p50"
# (the midpoint, 25.2 ms, when every sleep lands in one bucket; a loaded
# machine oversleeps some into the next bucket, which moves it up)
assert_eq "getppid calls of the -p process" 1000 \
	"$(q 'ktop_syscall_duration_seconds_count{syscall="getppid"}' "$tB")"
assert_eq "close errors of the -p process" 10 "$(q 'ktop_syscall_errors_total{syscall="close"}' "$tB")"
kill $S; wait $S 2>/dev/null; WPIDS=
ktop_down

# ---- phase C: hostile clients -----------------------------------------------
ktop_up -d 0.5 --panes syscalls,io || { bad "ktop did not start (phase C)"; finish; }
sleep 2
KPID=$(pgrep -P $KTOP_PID)		# ktop itself, under timeout
rss0=$(awk '/VmRSS/ { print $2 }' /proc/$KPID/status)
n0=$(wc -l < "$TMPD/out.json")
"$WL/http_hostile" "$KP" idle 200 12 > "$TMPD/idle.out" &
I=$!
WPIDS=$I
sleep 4
"$WL/http_hostile" "$KP" big $((10 * 1024 * 1024)) > "$TMPD/big.out"
echo "  10 MB request: $(cat "$TMPD/big.out")"
check "10 MB request refused (431 or closed)" grep -qE 'status (431|413|414|400|0)$' "$TMPD/big.out"
rss1=$(awk '/VmRSS/ { print $2 }' /proc/$KPID/status)
wait $I; WPIDS=
echo "  idle clients: $(tr '\n' ' ' < "$TMPD/idle.out")"
check "idle connections were closed by ktop's timeout" grep -qE 'closed by peer [1-9]' "$TMPD/idle.out"
check "/metrics answers after the attack" curl -sf -m 3 -o /dev/null "$URL"
rss2=$(awk '/VmRSS/ { print $2 }' /proc/$KPID/status)
ktop_down
# intervals of the attack: each -d 0.5 interval between 0.25 s and 3 s
tail -n +"$((n0 + 1))" "$TMPD/out.json" | jq -r .interval_ns > "$TMPD/iv.txt"
echo "  intervals during the attack: $(wc -l < "$TMPD/iv.txt"), $(sort -n "$TMPD/iv.txt" | awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%.3f..%.3f s", a / 1e9, b / 1e9 }')"
check "at least 24 intervals in the 12+ s of the attack" test "$(wc -l < "$TMPD/iv.txt")" -ge 24
# A server that blocked the loop would hold it for the 10 s connection
# timeout; a late wake-up on a busy shared machine is well under 3 s.
check "every interval on time (0.25..3 s)" awk '$1 < 250000000 || $1 > 3000000000 { exit 1 }' "$TMPD/iv.txt"
echo "  RSS: before $rss0 kB, during $rss1 kB, after $rss2 kB"
assert_range "RSS growth under hostile clients (kB)" -100000 $RSS_BOUND_KB $(( (rss1 > rss2 ? rss1 : rss2) - rss0 ))

# ---- phase D: fork storm ------------------------------------------------------
ktop_up -d 1 || { bad "ktop did not start (phase D)"; finish; }
# Series are bounded by --metrics-top, not by how many processes come and
# go: 3,000 short-lived processes (30-60 s on a shared 2-CPU machine) show
# it as well as the 10,000 of docs/metrics.md's figure, in a third of the
# time make test can spend. Capped at 200 s.
timeout 200 "$WL/bench_forks" 3000 32 > "$TMPD/forks.out" &
F=$!
WPIDS=$F
max=0
while kill -0 $F 2>/dev/null; do
	n=$(curl -s -m 2 "$URL" | grep -vc '^#')
	[ "$n" -gt "$max" ] && max=$n
	sleep 0.3
done
wait $F; rc=$?; WPIDS=
[ $rc = 124 ] && echo "  note: fork storm cut at 200 s (machine too busy for 3,000 forks)" ||
	assert_eq "fork storm exit status" 0 $rc
sleep 1.5
n=$(curl -s -m 2 "$URL" | grep -vc '^#'); [ "$n" -gt "$max" ] && max=$n
pmax=$(q "max_over_time(scrape_samples_scraped{job=\"ktop\"}[20s])")
echo "  fork storm ($(cat "$TMPD/forks.out" 2>/dev/null) ms for 3,000 processes): at most $max series per scrape (Prometheus: $pmax); ceiling $CEILING"
assert_range "series per scrape under the fork storm" 1 $CEILING $max
assert_range "scrape_samples_scraped under the fork storm" 1 $CEILING "$pmax"
ktop_down
finish
