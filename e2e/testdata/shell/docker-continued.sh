#!/bin/sh
# A docker run continued over several lines, as root, with long flags, the
# engine socket (rofix makes it :ro), a configuration file and a named volume
# (stays rw).
set -e
docker run \
	--rm \
	--network=none \
	--name "rofix-e2e-$E2E_RUN-continued" \
	-e APP_MODE=test \
	-v "$E2E_SOCK:/var/run/docker.sock" \
	-v "$CONF/app.conf:/etc/app/app.conf" \
	--volume "$E2E_VOLUME:/data" \
	"$E2E_IMAGE" \
	e2e-check sock=/var/run/docker.sock conf=/etc/app/app.conf data=/data/probe
