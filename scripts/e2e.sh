#!/bin/sh
# Runs the end-to-end suite and prints its summary: how many containers it
# started, on which engines, and any skip with its reason (go test hides
# skips of a passing package). Exits with go test's status. Set E2E_VERBOSE=1
# for the whole log.
set -u
log=$(mktemp)
trap 'rm -f "$log"' EXIT
go test -count=1 -v ./e2e >"$log" 2>&1
status=$?
if [ "${E2E_VERBOSE:-}" = 1 ] || [ "$status" != 0 ]; then
	cat "$log"
else
	grep -E '^(e2e:|--- SKIP|ok|FAIL)|^[[:space:]]+[a-z_]+_test\.go:[0-9]+: .*skip' "$log" || true
fi
exit "$status"
