#!/bin/sh
# /tmp is already a bind mount: a --tmpfs /tmp next to it would be a
# duplicate mount point, so the hardened container only starts if rofix
# leaves /tmp alone.
set -e
docker run --rm --network none -v "$DATA:/tmp" "$E2E_IMAGE" e2e-check
