#!/usr/bin/env bash
# Build the Dockerfile's BASE_IMAGE locally: a minimal Debian bookworm with Python 3.11, made with
# debootstrap from the Debian mirror apt already uses, because no container registry can be reached
# from CI. The root filesystem is cached as a tarball (default var/image/) and imported with
# `docker import`, so later runs only re-import it.
#
#   deploy/base-image.sh [TAG]          (default TAG: baoxiu-base:bookworm)
# Environment: DOCKER (client command, default "docker"), BASE_CACHE_DIR, DEBIAN_MIRROR.
set -euo pipefail

TAG="${1:-baoxiu-base:bookworm}"
DOCKER="${DOCKER:-docker}"
CACHE_DIR="${BASE_CACHE_DIR:-var/image}"
TARBALL="$CACHE_DIR/base-bookworm.tar"
# The mirror apt is configured with on this machine (deb822 or one-line sources), else Debian's CDN.
if [ -z "${DEBIAN_MIRROR:-}" ]; then
	DEBIAN_MIRROR="$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/\?$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)"
	[ -n "$DEBIAN_MIRROR" ] || DEBIAN_MIRROR="$(awk '$1=="deb" && $3=="bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)"
	[ -n "$DEBIAN_MIRROR" ] || DEBIAN_MIRROR="http://deb.debian.org/debian"
fi

if [ ! -s "$TARBALL" ] || ! tar -tf "$TARBALL" ./etc/ssl/certs/build-host-ca-certificates.crt >/dev/null 2>&1; then
	mkdir -p "$CACHE_DIR"
	rootfs="$(mktemp -d "${TMPDIR:-/tmp}/baoxiu-rootfs.XXXXXX")"
	trap 'rm -rf "$rootfs"' EXIT
	echo "base-image: debootstrap bookworm from $DEBIAN_MIRROR" >&2
	# minbase + only what the runtime needs: the interpreter, venv (for the build stage) and CA roots.
	debootstrap --variant=minbase --include=python3.11,python3.11-venv,python3-distutils,ca-certificates,tzdata \
		bookworm "$rootfs" "$DEBIAN_MIRROR" >"$CACHE_DIR/debootstrap.log" 2>&1 \
		|| { tail -30 "$CACHE_DIR/debootstrap.log" >&2; exit 1; }
	# Slim it: package caches, lists, docs and man pages are not needed at run time.
	chroot "$rootfs" apt-get clean
	rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/usr/share/doc/* \
		"$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/log/*.log
	# The CAs this machine trusts (a TLS-inspecting proxy's included), for pip in the Dockerfile's
	# build stage only (PIP_CERT there); the runtime keeps Debian's own bundle.
	if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
		cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/build-host-ca-certificates.crt"
	fi
	tar --numeric-owner -C "$rootfs" -cf "$TARBALL.partial" .
	mv "$TARBALL.partial" "$TARBALL"
fi

# Re-import when the tarball changed since the image was made (its checksum is a label).
sum="$(sha256sum "$TARBALL" | cut -c1-16)"
if [ "$($DOCKER image inspect --format '{{index .Config.Labels "baoxiu.base.tarball"}}' "$TAG" 2>/dev/null)" != "$sum" ]; then
	$DOCKER import --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' \
		--change "LABEL baoxiu.base.tarball=$sum" "$TARBALL" "$TAG" >/dev/null
fi
echo "$TAG"
