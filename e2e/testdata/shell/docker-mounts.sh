#!/bin/sh
# Mount forms: --mount binds (the one under /etc becomes readonly), a single
# certificate file (becomes :ro), an explicit :rw under /etc and a data
# --mount (both stay writable).
set -e
docker run --rm --network none --user 1000 \
	--mount type=bind,source="$CONF/app.conf",target=/etc/app/app.conf \
	--mount type=bind,src="$DATA",dst=/data \
	-v "$CONF/site.pem:/srv/site.pem" \
	-v "$DATA:/etc/app/state:rw" \
	"$E2E_IMAGE" e2e-check conf=/etc/app/app.conf pem=/srv/site.pem state=/etc/app/state/probe data=/data/probe
