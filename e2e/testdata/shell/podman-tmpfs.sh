#!/bin/sh
# podman run with --read-only-tmpfs=false: once read-only, only the tmpfs rofix
# adds keeps /tmp writable (/var/tmp stays read-only), as under Docker.
set -e
podman run --rm --network none --read-only-tmpfs=false --user 1000 -v "$CONF/app.conf:/etc/app/app.conf" -v "$DATA:/data" "$E2E_IMAGE" e2e-check conf=/etc/app/app.conf data=/data/probe
