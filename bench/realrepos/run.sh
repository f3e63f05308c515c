#!/bin/sh
# bench/realrepos/run.sh REPOS_DIR ROFIX_BINARY [rofix flags...]: measures
# ROFIX_BINARY as a one-shot migration over the repositories REPOS.tsv lists
# (checked out in REPOS_DIR by checkout.sh) and prints the markdown report.
# The rejected edits go to $EXAMPLES (default: /tmp/realrepos-examples.tsv).
#
# Example:
#   go build -o /tmp/rofix ./cmd/rofix
#   bench/realrepos/run.sh /work/realrepos /tmp/rofix > /tmp/report.md
#   bench/realrepos/run.sh /work/realrepos /tmp/rofix -docs > /tmp/report-docs.md
set -eu
[ $# -ge 2 ] || { echo "usage: $0 REPOS_DIR ROFIX_BINARY [rofix flags...]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
repos=$1 rofix=$2
shift 2
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd "$here" && go build -o "$bin/realrepos" .)
exec "$bin/realrepos" -repos "$repos" -rofix "$rofix" -list "$here/REPOS.tsv" \
	-examples "${EXAMPLES:-/tmp/realrepos-examples.tsv}" -- "$@"
