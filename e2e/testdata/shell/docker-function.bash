#!/usr/bin/env bash
# bash: `docker container run` inside a function, options from an array, a
# user:group, and braced variables in the mounts.
set -euo pipefail

opts=(--rm --network none)

start() {
	docker container run "${opts[@]}" --user 1000:1000 \
		-v "${CONF}/app.conf:/etc/app/app.conf" -v "${DATA}:/data" \
		"${E2E_IMAGE}" e2e-check conf=/etc/app/app.conf data=/data/probe
}

start
