#!/bin/sh
# summary.sh PKG REGEXP: runs go test -v on PKG and prints only the lines
# matching REGEXP (plus skips and the result), so that figures a passing
# test logs (corpus counts, containers started, skip reasons) show in
# make test. The whole log is printed when the tests fail or VERBOSE=1.
# Exits with go test's status.
set -u
pkg=$1
pattern=$2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
go test -count=1 -timeout 60m -v "$pkg" >"$log" 2>&1
status=$?
if [ "${VERBOSE:-}" = 1 ] || [ "$status" != 0 ]; then
	cat "$log"
else
	grep -E "$pattern|^--- SKIP|^ok|^FAIL" "$log" || true
fi
exit "$status"
