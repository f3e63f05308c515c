#!/bin/sh
# An image whose entrypoint writes /var/cache/app at start: a read-only root
# with only /tmp writable breaks it.
set -e
docker run --rm --network none "$E2E_CACHE_IMAGE" e2e-check
