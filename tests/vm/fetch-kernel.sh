#!/bin/bash
# Fetch a Debian stock kernel for the VM matrix, cached under $VMDIR/kernels.
# Usage: tests/vm/fetch-kernel.sh bookworm|bullseye
# Prints the directory holding vmlinuz (boot/vmlinuz-*) and the modules
# (lib/modules/KVER) unpacked with dpkg-deb -x. bookworm (Debian 12, 6.1)
# comes through the system's apt; bullseye (Debian 11, 5.10) through a
# private apt state under $VMDIR/apt-bullseye (own sources, state and cache:
# the system's apt is not touched), from the same mirror hosts.
set -euo pipefail
VMDIR=${VMDIR:-/var/tmp/ktop-vm}
suite=${1:?usage: fetch-kernel.sh bookworm|bullseye}
die() { echo "vmtest: fetch-kernel $suite: $*" >&2; exit 1; }

# The mirror hosts the system uses (deb822 .sources or one-line lists).
mirror() {	# mirror debian|debian-security: the first URI for that archive
	local want=$1 u
	for u in $(grep -hoE 'https?://[^ ]+' /etc/apt/sources.list.d/*.sources \
			/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null); do
		u=${u%/}
		case "$want:$u" in
		debian-security:*/debian-security) echo "$u"; return ;;
		debian:*/debian) echo "$u"; return ;;
		esac
	done
	[ "$want" = debian ] && echo http://deb.debian.org/debian || echo http://deb.debian.org/debian-security
}

APT=(apt-get -o APT::Sandbox::User=root)
CACHE=(apt-cache)
case "$suite" in
bookworm) ;;
bullseye)
	st=$VMDIR/apt-bullseye
	mkdir -p "$st/state/lists/partial" "$st/cache/archives/partial" "$st/etc/sources.list.d" \
		"$st/etc/preferences.d"
	kr=/usr/share/keyrings/debian-archive-keyring.gpg
	cat > "$st/etc/sources.list" <<-SRC
	deb [signed-by=$kr] $(mirror debian) bullseye main
	deb [signed-by=$kr] $(mirror debian-security) bullseye-security main
	SRC
	: > "$st/state/status"
	opts=(-o Dir::State="$st/state" -o Dir::State::status="$st/state/status"
	      -o Dir::Cache="$st/cache" -o Dir::Etc::sourcelist="$st/etc/sources.list"
	      -o Dir::Etc::sourceparts="$st/etc/sources.list.d"
	      -o Dir::Etc::preferencesparts="$st/etc/preferences.d"
	      -o APT::Architecture=amd64 -o Debug::NoLocking=1)
	APT=(apt-get -o APT::Sandbox::User=root "${opts[@]}")
	CACHE=(apt-cache "${opts[@]}")
	# refresh the private lists at most once a day
	if [ -z "$(find "$st/state/lists" -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
		"${APT[@]}" -qq update >&2 || die "apt-get update of bullseye failed (mirror $(mirror debian))"
	fi
	;;
*) die "unknown suite (bookworm, bullseye)" ;;
esac

# linux-image-amd64 is a metapackage: its dependency is the real image.
pkg=$("${CACHE[@]}" depends linux-image-amd64 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$pkg" ] || die "cannot resolve linux-image-amd64 (apt-cache depends gave nothing)"
ver=$("${CACHE[@]}" policy "$pkg" | awk '/Candidate:/ { print $2 }')
out=$VMDIR/kernels/${pkg#linux-image-}_$ver
if [ ! -e "$out/.done" ]; then
	rm -rf "$out.tmp" && mkdir -p "$out.tmp"
	( cd "$out.tmp" && "${APT[@]}" -qq download "$pkg=$ver" >&2 ) ||
		die "apt-get download $pkg=$ver failed"
	dpkg-deb -x "$out.tmp"/*.deb "$out.tmp/root" || die "dpkg-deb -x failed"
	rm -rf "$out" && mv "$out.tmp" "$out"
	echo "$pkg $ver" > "$out/.done"
fi
echo "$out"
