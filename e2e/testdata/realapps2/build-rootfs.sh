#!/bin/sh
# Builds the second real-servers root filesystem as a tar archive: Debian
# bookworm, minbase, with five servers from Debian's own packages that have
# nothing to do with the first set (../realapps): lighttpd, squid,
# tinyproxy, mosquitto (with its clients, for the probe) and haproxy; procps
# and bash for the probes. Usage: build-rootfs.sh OUT.tar. Needs root and
# debootstrap; the mirror is the one apt already uses here (or
# $ROFIX_E2E_MIRROR).
set -eu
out=$1
mirror=${ROFIX_E2E_MIRROR:-}
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
	mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
	mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list)
fi
mirror=${mirror:-http://deb.debian.org/debian}
root=$(mktemp -d "${TMPDIR:-/tmp}/rofix-realapps2.XXXXXX")
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase \
	--include=lighttpd,squid,tinyproxy,mosquitto,mosquitto-clients,haproxy,procps,bash \
	bookworm "$root" "$mirror" >"$out.log" 2>&1 || { tail -20 "$out.log" >&2; exit 1; }
# apt's caches are not part of the image.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar --numeric-owner -C "$root" -cf "$out.tmp" .
mv "$out.tmp" "$out"
rm -f "$out.log"
