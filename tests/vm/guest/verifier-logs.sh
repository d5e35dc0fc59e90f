#!/bin/bash
# The verifier's own words, uncut: load every program of each BPF object
# shipped in /vmtest/bpf with bpftool (libbpf stops at the first program the
# kernel refuses, per object, and tries every program of it, also those ktop
# would not load on that kernel) and print, for each refusal, the program and
# the last LINES (default 30) lines of its load log.
# Usage in a VM: tests/vm/vmtest.sh run bookworm 'bash /vmtest/verifier-logs.sh [LINES]'
lines=${1:-30}
for o in /vmtest/bpf/*.bpf.o; do
	n=$(basename "$o" .bpf.o)
	echo "=== $n.bpf.o"
	bpftool -d prog loadall "$o" "/sys/fs/bpf/vl_$n" 2>&1 | awk -v n="$lines" '
		/load failed|failed to load|Error|failed to create/ && !/BEGIN|END/ { print }
		/load failed/ { want = 1 }
		/BEGIN PROG LOAD LOG/ { inlog = 1; k = 0; next }
		/END PROG LOAD LOG/ { inlog = 0; s = k > n ? k - n : 0
			if (want && s) print "  [" s " earlier lines of the log]"
			for (i = s; want && i < k; i++) print "  " buf[i]
			want = 0; next }
		inlog { buf[k++] = $0 }'
	rc=${PIPESTATUS[0]}
	rm -rf "/sys/fs/bpf/vl_$n"
	echo "=== $n.bpf.o: bpftool exit $rc"
done
