#!/bin/sh
# The same image with a tmpfs on /var/cache/app, added by hand: it starts
# read-only.
set -e
docker run --rm --network none --tmpfs /var/cache/app "$E2E_CACHE_IMAGE" e2e-check
