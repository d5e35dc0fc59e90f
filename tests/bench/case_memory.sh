#!/bin/bash
# Memory overhead, two loads, each interleaved with its tracers:
#  kernel: pipe()+close() in a loop (tests/workloads/mem_loop.c: ~9 slab
#    allocations and frees per pipe) untraced, under ktop's Memory tab in
#    kernel mode, under libbpf-tools memleak, and under bpftrace keeping the
#    same state on the kmem tracepoints (outstanding size and stack by address);
#  user: malloc()+free() in a loop, untraced, under ktop -p (uprobes on the
#    process's libc), memleak -p, and bpftrace's uprobe equivalent.
# Throughput is the workload's own count (ops per second, higher is better).
# Then, outside the timed rounds, the BPF run time per allocation and per
# free of ktop and bpftrace (kernel.bpf_stats_enabled on for one run each).
#
# Knobs: MEM_SECS (seconds per sample), MEM_ROUNDS; BENCH_QUICK=1 makes them
# small. KTOP_BASE=path: another ktop binary (say, before a change) measured
# as one more kernel condition, in the same rounds.
. "$(dirname "$0")/lib.sh"

if [ "$BENCH_QUICK" = 1 ]; then
	D=${MEM_SECS:-1} R=${MEM_ROUNDS:-2}
else
	D=${MEM_SECS:-3} R=${MEM_ROUNDS:-5}	# ~3.5 min: run.sh allows 5
fi
LOAD=$WL/mem_loop
LIBC=$(ldd "$LOAD" 2>/dev/null | awk '/libc\.so/ { print $3; exit }')
export BPFTRACE_MAP_KEYS_MAX=262144	# as many outstanding entries as ktop's default --mem-max
# What ktop keeps in kernel mode, the bpftrace way: size and stack of every
# outstanding allocation by address, deleted on free (pages by pfn).
BT_KERNEL='tracepoint:kmem:kmalloc, tracepoint:kmem:kmem_cache_alloc { @sz[args->ptr] = args->bytes_alloc; @st[args->ptr] = kstack; }
tracepoint:kmem:kfree, tracepoint:kmem:kmem_cache_free { delete(@sz[args->ptr]); delete(@st[args->ptr]); }
tracepoint:kmem:mm_page_alloc { @pg[args->pfn] = args->order; @ps[args->pfn] = kstack; }
tracepoint:kmem:mm_page_free { delete(@pg[args->pfn]); delete(@ps[args->pfn]); }'
# ... and in user mode: size and user stack by pointer, from malloc's return.
BT_USER="uprobe:$LIBC:malloc { @req[tid] = arg0; }
uretprobe:$LIBC:malloc /@req[tid]/ { @sz[retval] = @req[tid]; @st[retval] = ustack; delete(@req[tid]); }
uprobe:$LIBC:free { delete(@sz[arg0]); delete(@st[arg0]); }"

for f in "$LOAD" "$KTOP"; do
	[ -x "$f" ] || { warn "missing $f (build with: make bench, or make O=DIR all DIR/workloads/mem_loop)"; exit 1; }
done
mount_tracefs

# load MODE: one sample, ops per second of mem_loop MODE.
load() {
	local mode=$1 ops
	ops=$("$LOAD" "$mode" "$D" | awk '/^ops / { print $2 }') || return 1
	[ -n "$ops" ] || { echo "mem_loop printed no ops line" >&2; return 1; }
	calc "$ops / $D"
}

# with_tracer NAME MIN_FDS MODE CMD...: a sample of load MODE while CMD is attached.
with_tracer() {
	local name=$1 min=$2 mode=$3 pid rc=0
	shift 3
	tracer_start "$name" "$@"
	pid=$TRACER_PID
	if ! tracer_wait "$name" "$pid" "$min"; then
		tracer_stop "$pid"
		return 1
	fi
	load "$mode" || rc=1
	sleep 1.2			# ktop: the interval holding the end of the load
	if ! kill -0 "$pid" 2>/dev/null; then
		warn "$name died while the workload ran: $(tail -c 300 "$TMPD/$name.err")"
		rc=1
	fi
	tracer_stop "$pid"
	return $rc
}

# with_tracer_pid NAME MIN_FDS CMD-WITH-@PID@...: user mode: the workload
# starts first and waits; CMD gets its pid; the sample starts when attached.
with_tracer_pid() {
	local name=$1 min=$2 wpid pid rc=0 ops i args=()
	shift 2
	"$LOAD" user "$D" wait > "$TMPD/wl.out" &
	wpid=$!
	for ((i = 0; i < 50; i++)); do
		grep -q ready "$TMPD/wl.out" && break
		sleep 0.05
	done
	for a in "$@"; do args+=("${a//@PID@/$wpid}"); done
	tracer_start "$name" "${args[@]}"
	pid=$TRACER_PID
	if ! tracer_wait "$name" "$pid" "$min"; then
		tracer_stop "$pid"
		kill "$wpid"
		wait "$wpid" 2>/dev/null
		return 1
	fi
	kill -USR1 "$wpid"
	wait "$wpid"
	ops=$(awk '/^ops / { print $2 }' "$TMPD/wl.out")
	[ -n "$ops" ] && calc "$ops / $D" || { echo "mem_loop printed no ops line" >&2; rc=1; }
	sleep 1.2		# (a tracer may exit with its target: bpftrace -p does)
	tracer_stop "$pid"
	return $rc
}

memleak_bin() {
	command -v memleak || command -v memleak-bpfcc || {
		echo "memleak not installed (Debian's libbpf-tools $(dpkg-query -W -f '${Version}' libbpf-tools 2>/dev/null) ships no memleak binary)" >&2
		return 1
	}
}

ktop_seen() {	# ktop_seen NAME PATTERN: did ktop's output show the load?
	grep -c "$2" "$TMPD/$1.out" >> "$TMPD/seen_$1"
	grep -o '"self_cpu_pct":[0-9.]*' "$TMPD/$1.out" | cut -d: -f2 >> "$TMPD/cpu_$1"
	grep -o '"memory":{"attach":"[a-z_]*","lost_events":[0-9]*' "$TMPD/$1.out" |
		awk -F: '{ s += $NF } END { print s + 0 }' >> "$TMPD/lost_$1"
}

measure_k_untraced() { load kernel; }
measure_k_ktop() {
	with_tracer ktop_k 2 kernel "$KTOP" -b --json --panes memory -d 1 || return 1
	ktop_seen ktop_k '"comm":"mem_loop"'
}
measure_k_base() {
	with_tracer ktop_base_k 2 kernel "$KTOP_BASE" -b --json --panes memory -d 1 || return 1
	ktop_seen ktop_base_k '"comm":"mem_loop"'
}
measure_k_memleak() {
	local m
	m=$(memleak_bin) || return 1
	with_tracer memleak_k 2 kernel "$m" 1
}
measure_k_bpftrace() {
	command -v bpftrace > /dev/null || { echo "bpftrace not installed (apt-get install bpftrace)" >&2; return 1; }
	with_tracer bpftrace_k 2 kernel bpftrace -e "$BT_KERNEL"
}
measure_u_untraced() { load user; }
measure_u_ktop() {
	with_tracer_pid ktop_u 2 "$KTOP" -b --json --panes memory -p @PID@ -d 1 || return 1
	ktop_seen ktop_u '"frames":\["churn+'
}
measure_u_memleak() {
	local m
	m=$(memleak_bin) || return 1
	with_tracer_pid memleak_u 2 "$m" -p @PID@ 1
}
measure_u_bpftrace() {
	command -v bpftrace > /dev/null || { echo "bpftrace not installed (apt-get install bpftrace)" >&2; return 1; }
	[ -n "$LIBC" ] || { echo "cannot find the workload's libc with ldd" >&2; return 1; }
	with_tracer_pid bpftrace_u 2 bpftrace -p @PID@ -e "$BT_USER"
}

label() {
	case "$1" in
	*_ktop) [ "${1%%_*}" = k ] && echo "ktop --panes memory (kernel)" || echo "ktop -p (user mode)" ;;
	*_base) echo "KTOP_BASE --panes memory" ;;
	*_always) echo "ktop --mem-stacks always" ;;
	*_memleak) echo "memleak" ;;
	*_bpftrace) echo "bpftrace same state" ;;
	*_untraced) echo "untraced" ;;
	esac
}

# table PREFIX UNIT: the summary of one load, and its result rows.
table() {
	local p=$1 what=$2 c m base rel add
	say ""
	say "  $what:"
	printf '  %-30s %14s %12s %16s\n' condition "ops/s (med)" "vs untraced" "ns added per op"
	base=$(cond_median "${p}_untraced")
	for c in untraced ktop $([ "$p" = k ] && [ -n "${KTOP_BASE:-}" ] && echo base) memleak bpftrace; do
		c=${p}_$c
		if failed "$c" && [ ! -s "$TMPD/samples/$c" ]; then
			printf '  %-30s %s\n' "$(label "$c")" "CANNOT RUN: $(why_failed "$c")"
			result "$what: $(label "$c")" "CANNOT RUN: $(why_failed "$c" | cut -c 1-120)" "" n/a
			continue
		fi
		m=$(cond_median "$c")
		if [ "${c#*_}" = untraced ]; then
			printf '  %-30s %14s %12s %16s\n' "$(label "$c")" "$m" - -
			result "$what: ops/s untraced" "$m"
			continue
		fi
		# per round (paired), then the median: drifts of the machine cancel
		rel=$(median $(paste -d ' ' "$TMPD/rounds/$c" "$TMPD/rounds/${p}_untraced" |
			awk '$1 != "-" && $2 != "-" && $2 > 0 { printf "%.3f\n", $1 / $2 }'))
		# per op, what the tracer adds: 1/traced - 1/untraced
		add=$(awk -v t="$m" -v u="$base" 'BEGIN { if (t > 0 && u > 0) printf "%.0f", 1e9 / t - 1e9 / u }')
		printf '  %-30s %14s %11sx %16s\n' "$(label "$c")" "$m" "$rel" "$add"
		result "$what: $(label "$c") throughput vs untraced" "${rel}x"
		result "$what: $(label "$c") ns added per op" "$add"
		eval "REL_$c=\$rel"
	done
}

progs_before=$(prog_count)
say "memory: mem_loop, $D s per sample, $R rounds; conditions rotate each round"
say "  kernel load (pipe+close per op):"
if [ -n "${KTOP_BASE:-}" ]; then
	[ -x "$KTOP_BASE" ] || { warn "KTOP_BASE=$KTOP_BASE is not an executable"; exit 1; }
	interleave "$R" k_untraced k_ktop k_base k_memleak k_bpftrace
else
	interleave "$R" k_untraced k_ktop k_memleak k_bpftrace
fi
say "  user load (malloc+free per op):"
interleave "$R" u_untraced u_ktop u_memleak u_bpftrace
wait_progs_at_most "$progs_before" ||
	warn "BPF programs: $progs_before before, $(prog_count) now (other users of this machine may load some too)"
say "  BPF programs loaded: $progs_before before, $(prog_count) after"

# Diagnostic, outside the timed rounds: BPF run time per allocation and per
# free, from the kernel's own counters (kernel.bpf_stats_enabled, on for
# one workload run per tracer; it adds two clock reads per program run, so
# compare these with each other only). Throughput also pays for the
# tracepoint machinery around the programs (more for bpftrace's perf-event
# tracepoints than for ktop's tp_btf); this is the programs' own share.
# Frees: ktop runs two twin programs per free (docs/memory.md); the figure
# is both, per free.
per_event() {	# per_event NAME CMD...: "ALLOC_NS FREE_NS ALLOCS FREES" of CMD's programs
	local name=$1 pid
	shift
	tracer_start "$name" "$@"
	pid=$TRACER_PID
	tracer_wait "$name" "$pid" 2 || { tracer_stop "$pid"; return 1; }
	sleep 1				# ktop: its first poll (sites, comms) is behind it
	bpf_stats_on
	prog_stats "$pid" > "$TMPD/$name.stats0"
	"$LOAD" kernel "$D" > /dev/null
	prog_stats "$pid" > "$TMPD/$name.stats1"
	bpf_stats_off
	tracer_stop "$pid"
	# per program: name ns runs, before and after; allocations are the
	# slab hooks, frees their free hooks (a twin "...2_btf" counts no event;
	# bpftrace's names are cut at 15 characters: kmem_cache_allo)
	awk 'NR == FNR { t0[$1] += $2; c0[$1] += $3; next }
	     { dt = $2 - t0[$1]; dc = $3 - c0[$1]; t0[$1] = $2; c0[$1] = $3 }
	     $1 ~ /^(kmalloc|kmem_cache_allo)/ { an += dt; ac += dc }
	     $1 ~ /^(kfree|kmem_cache_free)/ { fn += dt; if ($1 !~ /2_(btf|raw)$/) fc += dc }
	     END { if (ac > 0 && fc > 0) printf "%.0f %.0f %d %d\n", an / ac, fn / fc, ac, fc }' \
		"$TMPD/$name.stats0" "$TMPD/$name.stats1"
}
if [ -w /proc/sys/kernel/bpf_stats_enabled ]; then
	say ""
	say "  kernel: BPF run time per event (kernel.bpf_stats_enabled, one $D s run each):"
	for c in ktop always base bpftrace; do
		failed "k_$c" && continue
		case $c in
		ktop) line=$(per_event ktop_stats "$KTOP" -b --json --panes memory -d 1) ;;
		always) line=$(per_event always_stats "$KTOP" -b --json --panes memory --mem-stacks always -d 1) ;;
		base) [ -n "${KTOP_BASE:-}" ] || continue
		      line=$(per_event base_stats "$KTOP_BASE" -b --json --panes memory -d 1) ;;
		bpftrace) line=$(per_event bpftrace_stats bpftrace -e "$BT_KERNEL") ;;
		esac
		[ -n "$line" ] || { say "    $(label "k_$c"): no figures"; continue; }
		read -r a f na nf <<< "$line"
		say "    $(printf '%-30s' "$(label "k_$c")") $a ns per allocation, $f ns per free ($na allocations, $nf frees)"
		result "kernel: $(label "k_$c") BPF ns per allocation" "$a"
		result "kernel: $(label "k_$c") BPF ns per free" "$f"
		eval "NS_$c=\$a"
	done
	if [ -n "${NS_ktop:-}" ] && [ -n "${NS_bpftrace:-}" ]; then
		result "kernel: bpftrace / ktop BPF ns per allocation" "$(ratio "$NS_bpftrace" "$NS_ktop")"
	fi
fi

table k "kernel pipe+close"
table u "user malloc+free"
if [ -n "${REL_k_ktop:-}" ] && [ -n "${REL_k_bpftrace:-}" ]; then
	result "kernel: ktop / bpftrace (throughput kept)" "$(ratio "$REL_k_ktop" "$REL_k_bpftrace")"
fi
if [ -n "${REL_u_ktop:-}" ] && [ -n "${REL_u_bpftrace:-}" ]; then
	result "user: ktop / bpftrace (throughput kept)" "$(ratio "$REL_u_ktop" "$REL_u_bpftrace")"
fi
for n in ktop_k ktop_base_k ktop_u; do
	if [ -s "$TMPD/cpu_$n" ]; then
		# shellcheck disable=SC2046
		result "$n own CPU % (median interval)" "$(median $(cat "$TMPD/cpu_$n"))"
	fi
	if [ -s "$TMPD/lost_$n" ]; then
		result "$n lost events per run (max)" "$(sort -n "$TMPD/lost_$n" | tail -n 1)"
	fi
	# Sanity: ktop saw the load (one that did not would look cheap).
	if [ -s "$TMPD/seen_$n" ]; then
		lo=$(sort -n "$TMPD/seen_$n" | head -n 1)
		say "  $n showed the workload in at least $lo interval(s) per run"
		[ "$lo" -ge 1 ] || warn "a $n run never showed the workload: it may not have measured what we think"
	fi
done

reproduce "$LOAD kernel $D   # untraced; then again while each of these runs:"
reproduce "$KTOP -b --json --panes memory -d 1 > /dev/null"
reproduce "memleak 1   # libbpf-tools"
reproduce "BPFTRACE_MAP_KEYS_MAX=262144 bpftrace -e '$(echo "$BT_KERNEL" | tr '\n' ' ')'"
reproduce "$LOAD user $D wait & kill -USR1 \$!   # untraced; traced: attach to its pid before the signal:"
reproduce "$KTOP -b --json --panes memory -p PID -d 1 > /dev/null"
reproduce "memleak -p PID 1"
reproduce "BPFTRACE_MAP_KEYS_MAX=262144 bpftrace -p PID -e '$(echo "$BT_USER" | tr '\n' ' ')'"
exit 0
