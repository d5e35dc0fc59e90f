#!/bin/bash
# ktop's kernel matrix: boot Debian's stock kernels in QEMU with a given ktop
# and run checks there. Not part of `make test` (minutes per kernel).
#
# Usage (from the project root; root needed for debootstrap/apt):
#   make vmtest [KTOP=/path/to/ktop] [VMTEST_MODE=matrix|lockup] [KERNELS="bookworm bullseye"]
#   tests/vm/vmtest.sh matrix            checks of every tab on each kernel, table at the end
#   tests/vm/vmtest.sh lockup [N]        6.1 with softlockup_panic=1: N (100) starts/stops of ktop
#   tests/vm/vmtest.sh run KERNEL [CMD]  boot KERNEL, run the shell command CMD in the guest
#                                        (default: ktop -v -b --json -n 1), print its output
#   KERNEL: bookworm (Debian 12, 6.1), bullseye (Debian 11, 5.10), or a directory
#   with boot/vmlinuz-* and lib/modules/* (a dpkg-deb -x of a linux-image .deb).
# Environment:
#   KTOP=ktop binary to test (default ./ktop); WL=workload dir (default build/workloads)
#   VMDIR=cache and logs (/var/tmp/ktop-vm); VM_TIMEOUT=seconds before a VM counts as hung
#   VM_MEM (2G), VM_SMP (2), FLAVOURS ("auto raw_tp": raw_tp = KTOP_FORCE_RAW_TP=1),
#   TABS (matrix: "syscalls locks memory io"),
#   VM_APPEND=extra kernel command line (VM_KAPPEND: instead of the mode's own
#   loglevel: quiet for run, loglevel=5 for matrix), VM_VERBOSE=1 streams the serial console,
#   BPFOBJ=the build's *.bpf.o (default: next to KTOP), in the guest as /vmtest/bpf
#   (e.g. run bookworm 'bpftool -d prog loadall /vmtest/bpf/io.bpf.o /sys/fs/bpf/io'
#   prints the verifier's whole log).
# In the guest: ktop is /usr/local/bin/ktop, workloads in /vmtest/wl, this
# directory's guest/ scripts in /vmtest; /init runs CMD and powers off.
# Logs: $VMDIR/runs/<time>-<mode>-<pid>/<kernel>.log (the whole serial console);
# <kernel>.log.mon is the QEMU monitor's socket while the VM runs: a guest
# that went quiet can be looked at with e.g.
#   python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]);
#     s.send(b"info registers -a\n"); time.sleep(1); print(s.recv(65536).decode(errors="replace"))' LOG.mon
# (RIP against the kernel's System.map), or "sendkey alt-sysrq-l" (backtraces).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/vm
VMDIR=${VMDIR:-/var/tmp/ktop-vm}
KTOP=${KTOP:-$ROOT/ktop}
WL=${WL:-$ROOT/build/workloads}
# the build's BPF objects: build/bpf for ./ktop, $O/bpf for an O= build's $O/ktop
[ "$KTOP" = "$ROOT/ktop" ] && BPFOBJ=${BPFOBJ:-$ROOT/build/bpf} || BPFOBJ=${BPFOBJ:-$(dirname "$KTOP")/bpf}
VM_MEM=${VM_MEM:-2G}
VM_SMP=${VM_SMP:-2}
FLAVOURS=${FLAVOURS:-auto raw_tp}
MODULES="loop"
die() { echo "vmtest: $*" >&2; exit 2; }
say() { echo "vmtest: $*" >&2; }

# ---- the userland: debootstrap minbase bookworm, cached as a tarball --------
# libmicrohttpd12: ktop's --listen (metrics); a changed list makes a new tree
ROOTFS_PKGS=libbpf1,libncursesw6,libelf1,libdw1,libcap2,zlib1g,libmicrohttpd12,bpftool,procps,jq,kmod,util-linux,iproute2
ROOTFS_ID=$(printf '%s' "$ROOTFS_PKGS" | md5sum | cut -c1-8)
rootfs_tar() {
	local tar=$VMDIR/rootfs-bookworm-$ROOTFS_ID.tar.gz t=$VMDIR/rootfs.tmp.$$
	if [ ! -s "$tar" ]; then
		say "debootstrap bookworm (once, a few minutes) into $t"
		rm -rf "$t"
		local m
		m=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1)
		debootstrap --variant=minbase --include=$ROOTFS_PKGS bookworm "$t" \
			"${m:-http://deb.debian.org/debian}" \
			> "$VMDIR/debootstrap.log" 2>&1 ||
			die "debootstrap failed, see $VMDIR/debootstrap.log"
		rm -rf "$t"/usr/share/{doc,man,info,locale,i18n} "$t"/var/cache/apt/* "$t"/var/lib/apt/lists/*
		tar -C "$t" --exclude=./proc/* --exclude=./sys/* --exclude=./dev/* -czf "$tar.$$" . &&
			mv "$tar.$$" "$tar" || die "cannot write $tar"
		rm -rf "$t"
	fi
	echo "$tar"
}
# the rootfs as a newc cpio (uncompressed: TCG unpacks it faster than it inflates)
base_cpio() {
	local tar cpio=$VMDIR/rootfs-bookworm-$ROOTFS_ID.cpio t
	tar=$(rootfs_tar) || exit 2
	if [ ! -s "$cpio" ] || [ "$tar" -nt "$cpio" ]; then
		t=$(mktemp -d "$VMDIR/cpio.XXXXXX")
		tar -C "$t" -xzf "$tar" && (cd "$t" && find . | cpio -o -H newc --quiet > "$cpio.$$") &&
			mv "$cpio.$$" "$cpio" || die "cannot build $cpio"
		rm -rf "$t"
	fi
	echo "$cpio"
}

# ---- kernels ---------------------------------------------------------------
kernel_dir() {	# kernel_dir bookworm|bullseye|DIR: the unpacked package (has root/ or boot/)
	case "$1" in
	bookworm|bullseye) VMDIR=$VMDIR "$HERE/fetch-kernel.sh" "$1" || die "cannot fetch the $1 kernel" ;;
	*) [ -d "$1" ] || die "no kernel directory $1"; echo "$1" ;;
	esac
}
kroot() { if [ -d "$1/root" ]; then echo "$1/root"; else echo "$1"; fi; }
kver() { local k; k=$(ls "$(kroot "$1")"/boot/vmlinuz-* | head -1); echo "${k##*/vmlinuz-}"; }
# the kernel's modules the guest needs, under usr/lib/modules (an entry named
# lib/ would replace bookworm's /lib symlink in the initramfs)
modules_cpio() {
	local kd=$1 r v out t m f
	r=$(kroot "$kd") v=$(kver "$kd") out=$kd/modules.cpio
	[ -s "$out" ] && { echo "$out"; return; }
	t=$(mktemp -d "$VMDIR/mods.XXXXXX")
	mkdir -p "$t/usr/lib/modules/$v"
	for m in $MODULES; do
		f=$(find "$r/lib/modules/$v/kernel" -name "$m.ko*" | head -1)
		[ -n "$f" ] || continue		# built in
		mkdir -p "$t/usr/lib/modules/$v/$(dirname "${f#$r/lib/modules/$v/}")"
		cp "$f" "$t/usr/lib/modules/$v/${f#$r/lib/modules/$v/}"
	done
	# modules.dep is made in the guest (depmod there: no kmod needed here)
	cp "$r/lib/modules/$v"/modules.{order,builtin}* "$t/usr/lib/modules/$v/" 2>/dev/null
	(cd "$t" && find usr | cpio -o -H newc --quiet > "$out.$$") && mv "$out.$$" "$out" ||
		die "cannot build $out"
	rm -rf "$t"
	echo "$out"
}

# ---- one boot ----------------------------------------------------------------
# mkinitrd OUT CMDFILE: rootfs + this kernel's modules + ktop, workloads, scripts
mkinitrd() {
	local out=$1 cmd=$2 kd=$3 t base mods
	base=$(base_cpio) || exit 2
	mods=$(modules_cpio "$kd") || exit 2
	t=$(mktemp -d "$VMDIR/run.XXXXXX")
	mkdir -p "$t/usr/local/bin" "$t/vmtest/wl" "$t/vmtest/integ"
	cp "$KTOP" "$t/usr/local/bin/ktop" || die "cannot copy $KTOP"
	[ -d "$WL" ] && cp "$WL"/* "$t/vmtest/wl/" 2>/dev/null
	cp "$HERE"/guest/* "$t/vmtest/" && cp "$ROOT/tests/integ/lib.sh" "$t/vmtest/integ/"
	# the BPF objects of that build, for bpftool's full verifier logs
	[ -d "$BPFOBJ" ] && mkdir -p "$t/vmtest/bpf" && cp "$BPFOBJ"/*.bpf.o "$t/vmtest/bpf/" 2>/dev/null
	mv "$t/vmtest/init" "$t/init"
	cp "$cmd" "$t/vmtest/cmd.sh"
	echo "$MODULES" > "$t/vmtest/modules"
	(cd "$t" && find . | cpio -o -H newc --quiet > "$t.cpio") || die "cannot build the run cpio"
	cat "$base" "$mods" "$t.cpio" > "$out"
	rm -rf "$t" "$t.cpio"
}
# boot KERNEL_DIR INITRD LOG TIMEOUT APPEND: 0 when the guest reached
# @@VMTEST-END, 124 when it was killed as hung, 1 otherwise.
boot() {
	local kd=$1 initrd=$2 log=$3 tmo=$4 append=$5 accel=tcg cpu=max rc tailpid=
	[ -w /dev/kvm ] && accel=kvm cpu=host
	say "booting $(kver "$kd") ($accel, $VM_SMP cpus, $VM_MEM, timeout ${tmo}s), serial log $log"
	: > "$log"
	if [ "${VM_VERBOSE:-0}" = 1 ]; then tail -f "$log" & tailpid=$!; fi
	timeout -s KILL "$tmo" qemu-system-x86_64 -accel $accel -cpu $cpu -smp "$VM_SMP" -m "$VM_MEM" \
		-nographic -no-reboot -monitor "unix:$log.mon,server,nowait" -serial "file:$log" -nic none \
		-kernel "$(kroot "$kd")/boot/vmlinuz-$(kver "$kd")" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 rdinit=/init $append ${VM_APPEND:-}" < /dev/null > "$log.qemu" 2>&1
	rc=$?
	[ -n "$tailpid" ] && { sleep 0.5; kill "$tailpid"; }
	if [ $rc = 137 ]; then
		say "VM hung: killed after ${tmo}s (see $log)"
		echo "@@HOST VM killed after ${tmo}s (hung)" >> "$log"
		return 124
	fi
	[ $rc = 0 ] || { say "qemu failed ($rc): $(tail -3 "$log.qemu")"; return 1; }
	grep -q '^@@VMTEST-END' "$log" || { say "the guest did not finish its command (see $log)"; return 1; }
	return 0
}
# run_vm KERNEL CMDFILE LOG TIMEOUT [APPEND]
run_vm() {
	local kd initrd rc
	kd=$(kernel_dir "$1") || exit 2
	initrd=$(mktemp "$VMDIR/initrd.XXXXXX")
	mkinitrd "$initrd" "$2" "$kd"
	boot "$kd" "$initrd" "$3" "$4" "${5:-quiet}"
	rc=$?
	rm -f "$initrd"
	return $rc
}
# the serial log as text: no CR, no terminal escapes (a console reset precedes /init's output)
clean_log() { tr -d '\r' < "$1" | sed -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/\x1b[c78]//g'; }
guest_output() { clean_log "$1" | sed -n '/^@@VMTEST-BEGIN/,/^@@VMTEST-END/p'; }

[ -x "$KTOP" ] || die "no ktop binary at $KTOP (build it, or pass KTOP=/path/to/ktop)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (scripts/deps.sh vmtest)"
mkdir -p "$VMDIR/runs" || die "cannot create $VMDIR"
mode=${1:-matrix}
[ $# -gt 0 ] && shift
RUN=$VMDIR/runs/$(date -u +%Y%m%d-%H%M%S)-$mode-$$
mkdir -p "$RUN"
ktop_id="$KTOP ($("$KTOP" --version 2>/dev/null | head -1 | tr -cd '[:print:]'))"

case "$mode" in
run)
	k=${1:?usage: vmtest.sh run KERNEL [CMD]}
	shift
	cmd=${*:-ktop -v -b --json -n 1}
	printf '%s\n' "$cmd" > "$RUN/cmd.sh"
	run_vm "$k" "$RUN/cmd.sh" "$RUN/$(basename "$k").log" "${VM_TIMEOUT:-600}" "${VM_KAPPEND:-quiet}"
	rc=$?
	[ "${VM_VERBOSE:-0}" = 1 ] || guest_output "$RUN/$(basename "$k").log"
	say "serial log: $RUN/$(basename "$k").log"
	exit $rc
	;;
matrix)
	out=0
	: > "$RUN/table.txt"
	for k in ${KERNELS:-bookworm bullseye}; do
		log=$RUN/$k.log
		printf 'FLAVOURS="%s" TABS="%s" bash /vmtest/checks.sh\n' "$FLAVOURS" "${TABS:-}" > "$RUN/cmd.sh"
		# loglevel=5: warnings' stack dumps (KERN_DEFAULT) reach the serial log, info does not
		run_vm "$k" "$RUN/cmd.sh" "$log" "${VM_TIMEOUT:-1800}" "loglevel=5 ${VM_KAPPEND:-}"
		rc=$?
		kv=$(clean_log "$log" | sed -n 's/^@@KERNEL //p' | head -1)
		[ -n "$kv" ] || kv=$k
		clean_log "$log" | sed -n 's/^@@R //p' | sed "s/^/$kv /" >> "$RUN/table.txt"
		clean_log "$log" | sed -n 's/^@@E //p' > "$RUN/$k.errors.txt"
		if [ $rc != 0 ]; then
			echo "$kv - - - FAIL VM: $( [ $rc = 124 ] && echo "hung, killed after timeout" || echo "did not finish") ($log)" >> "$RUN/table.txt"
			out=1
		fi
		grep -aE 'soft lockup|BUG:|Oops|Call Trace|WARNING:' "$log" | head -20 > "$RUN/$k.kernel-warnings.txt"
		[ -s "$RUN/$k.kernel-warnings.txt" ] && { echo "$kv - - - FAIL kernel warning in the log: $(head -1 "$RUN/$k.kernel-warnings.txt" | tr -cd '[:print:]')" >> "$RUN/table.txt"; out=1; }
	done
	echo
	echo "ktop matrix, $(date -u '+%F %H:%M UTC'), ktop: $ktop_id"
	{ echo "KERNEL TAB FLAVOUR ATTACH RESULT DETAIL"; cat "$RUN/table.txt"; } |
		awk '{ d = ""; for (i = 6; i <= NF; i++) d = d (i > 6 ? " " : "") $i
		       printf "%-16s %-9s %-7s %-26s %-8s %s\n", $1, $2, $3, $4, $5, d }'
	grep -qE '^[^ ]+ [^ ]+ [^ ]+ [^ ]+ (FAIL|DISABLED)' "$RUN/table.txt" && out=1
	grep -q . "$RUN/table.txt" || out=1
	echo
	echo "logs: $RUN/ (serial consoles *.log, ktop -v stderr *.errors.txt)"
	exit $out
	;;
lockup)
	n=${1:-100}
	k=${KERNELS:-bookworm}
	printf 'bash /vmtest/lockup.sh %d\n' "$n" > "$RUN/cmd.sh"
	log=$RUN/$k.log
	run_vm "$k" "$RUN/cmd.sh" "$log" "${VM_TIMEOUT:-$((n * 60 + 300))}" \
		"softlockup_panic=1 loglevel=7 nmi_watchdog=1 softlockup_all_cpu_backtrace=1"
	rc=$?
	clean_log "$log" | grep -a '^@@L' | tail -3
	if grep -qa 'soft lockup' "$log"; then
		echo "SOFT LOCKUP reproduced; stack:"
		clean_log "$log" | grep -a -A60 'soft lockup' | head -120
		rc=1
	fi
	echo "log: $log"
	exit $rc
	;;
*) die "unknown mode '$mode' (matrix, lockup, run)" ;;
esac
