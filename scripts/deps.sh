#!/bin/sh
# Install what a fresh Debian 12 machine lacks to build and test ktop: the one
# place that names every package a build, a test or a benchmark uses.
# Usage: scripts/deps.sh [bootstrap|build|test|bench|vmtest]. Idempotent: does
# nothing when every package is already installed. Needs root (apt-get) only
# when something is missing. `bootstrap` is what ./make.sh needs before make
# can run at all.
set -eu
what=${1:-build}
# liblzma-dev, libbz2-dev: static archives libdw.a needs (make static);
# ncurses-base: the terminfo entries built into ktop (scripts/gen_terminfo.sh)
pkgs="make gcc clang llvm bpftool pkg-config libbpf-dev libelf-dev zlib1g-dev
      libncurses-dev libdw-dev libcap-dev linux-libc-dev libc6-dev liblzma-dev libbz2-dev
      ncurses-base libmicrohttpd-dev libzstd-dev"
case "$what" in
bootstrap) pkgs="make" ;;
build) ;;
# procps: pgrep, ps; util-linux: setpriv; mount: losetup; debootstrap, file:
# Debian 11/12 roots for make test-static; prometheus, curl: test_prometheus
test) pkgs="$pkgs libcmocka-dev tmux jq libclang-rt-14-dev procps util-linux mount debootstrap file prometheus curl" ;;
bench) pkgs="$pkgs fio bpftrace libbpf-tools stress-ng linux-perf" ;;
vmtest) pkgs="$pkgs qemu-system-x86 debootstrap cpio debian-archive-keyring" ;;
*) echo "deps.sh: unknown set '$what' (bootstrap, build, test, bench, vmtest)" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "ktop: missing packages:$missing; run as root or: apt-get install$missing" >&2
	exit 1
fi
echo "ktop: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
