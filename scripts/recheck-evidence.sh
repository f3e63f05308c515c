#!/bin/sh
# Re-checks the evidence of rofix's image table against the images' own
# repositories: for every evidence string REPO@COMMIT FILE#LN[-LM] "QUOTE" in
# rewrite/policy/images/*.yaml it reads FILE at COMMIT from a local clone and
# says whether QUOTE is the text of line LN (or of one of LN..LM).
#
#   scripts/recheck-evidence.sh MIRRORS [FILE.yaml...]
#
# MIRRORS holds one git directory per repository, as OWNER+NAME/repo (the
# layout of fetched snapshots), OWNER/NAME.git or OWNER/NAME. Nothing is
# fetched: a repository or commit missing there is counted as unchecked.
# Prints one line per quote that differs or cannot be checked, then the
# figures; exits 1 when a quote differs.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 MIRRORS [FILE.yaml...]" >&2; exit 2; }
mirrors=$1
shift
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- rewrite/policy/images/*.yaml

gitdir() {
	for d in "$mirrors/$(echo "$1" | tr / +)/repo" "$mirrors/$1.git" "$mirrors/$1"; do
		if [ -d "$d" ] && git --git-dir="$d" rev-parse --git-dir >/dev/null 2>&1; then
			echo "$d"
			return
		fi
	done
}

# The evidence strings: single-quoted YAML scalars ('' is a quote) holding
# REPO@COMMIT FILE#L..., one per line, without repeats.
list=$(mktemp)
trap 'rm -f "$list"' EXIT
grep -ho "'[^']*\(''[^']*\)*'" "$@" |
	sed "s/^'//; s/'\$//; s/''/'/g" |
	grep -E '^[^ ]+@[0-9a-f]{7,40} [^ ]+#L[0-9]+(-L[0-9]+)? "' |
	sort -u >"$list"

ok=0 differ=0 unchecked=0
while IFS= read -r ev; do
	loc=${ev%% \"*}
	quote=${ev#* \"}
	quote=${quote%\"}
	repo=${loc%%@*}
	rest=${loc#*@}
	commit=${rest%% *}
	file=${rest#* }
	lines=${file##*#L}
	file=${file%#L*}
	first=${lines%%-L*}
	last=${lines##*-L}
	d=$(gitdir "$repo")
	if [ -z "$d" ]; then
		unchecked=$((unchecked + 1))
		echo "unchecked (no clone of $repo): $ev"
		continue
	fi
	if ! text=$(git --git-dir="$d" show "$commit:$file" 2>/dev/null); then
		unchecked=$((unchecked + 1))
		echo "unchecked ($commit:$file not in the clone): $ev"
		continue
	fi
	if printf '%s\n' "$text" | sed -n "${first},${last}p" | grep -qF -- "$quote"; then
		ok=$((ok + 1))
	else
		differ=$((differ + 1))
		echo "DIFFERS: $ev"
		echo "    line $first reads: $(printf '%s\n' "$text" | sed -n "${first}p")"
	fi
done <"$list"
echo "evidence strings: $(wc -l <"$list" | tr -d ' '), quote matches its line: $ok, differs: $differ, unchecked: $unchecked"
[ "$differ" -eq 0 ]
