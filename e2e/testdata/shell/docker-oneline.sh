#!/bin/sh
# One-line docker run as a non-root user, with a configuration file bind mount
# (rofix makes it :ro: its target is under /etc) and a data bind (stays rw).
set -e
docker run --rm --network none --user 1000 -v $CONF/app.conf:/etc/app/app.conf -v "$DATA:/data" "$E2E_IMAGE" e2e-check conf=/etc/app/app.conf data=/data/probe
