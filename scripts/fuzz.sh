#!/bin/sh
# Runs every native Go fuzz target for FUZZTIME each (default 60s; make test
# passes a count such as 20000x).
#
# A count is the budget CI uses: with a duration, Go's fuzz coordinator
# (go1.26 and earlier, golang.org/issue/75804) can report its own deadline
# as "context deadline exceeded" and fail a target that found nothing.
# FUZZSKIP names targets to leave out (space-separated).
set -eu
: "${FUZZTIME:=60s}"
: "${FUZZSKIP:=}"
for pkg in $(go list ./...); do
	for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
		case " $FUZZSKIP " in
		*" $target "*)
			echo "fuzz $pkg $target: skipped (FUZZSKIP)"
			continue
			;;
		esac
		echo "fuzz $pkg $target ($FUZZTIME)"
		go test -run '^$' -fuzz "^$target\$" -fuzztime "$FUZZTIME" "$pkg"
	done
done
