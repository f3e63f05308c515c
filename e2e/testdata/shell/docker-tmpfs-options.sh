#!/bin/sh
# /tmp is already a tmpfs with options, and the configuration file bind has
# an SELinux label option (rofix must write :z,ro or :ro,z, not :z:ro).
set -e
docker run --rm --network none --tmpfs /tmp:rw,size=16m,mode=1777 -v "$CONF/app.conf:/etc/app/app.conf:z" "$E2E_IMAGE" e2e-check conf=/etc/app/app.conf
