#!/bin/sh
# podman run continued over lines, as root, with a configuration file and a
# data bind.
set -e
podman run --rm \
	--network none \
	-v "$CONF/app.conf:/etc/app/app.conf" \
	-v "$DATA:/data" \
	"$E2E_IMAGE" e2e-check conf=/etc/app/app.conf data=/data/probe
