#!/bin/bash
# checkout.sh MIRROR_DIR REPOS_DIR REPOS_TSV: unpacks the commit named in
# REPOS_TSV of each repository from its bare git directory
# MIRROR_DIR/owner+name/repo into REPOS_DIR/owner+name. Blobs the snapshot
# lacks (files of 4 MiB and more) are left out rather than failing the checkout.
# Each checkout gets an empty git repository, so that it has a root as a clone has.
set -eu
mirror=$1 dest=$2 tsv=$3
grep -v '^#' "$tsv" | while IFS='	' read -r repo commit why; do
	n=$(echo "$repo" | tr / +)
	gd=$mirror/$n/repo
	[ -d "$dest/$n" ] && continue
	mkdir -p "$dest/$n"
	tree=$(git --git-dir="$gd" ls-tree -r "$commit" | grep -P '^\d+ blob ')
	# batch-check answers "SHA missing" for a blob the snapshot lacks; its
	# answers come in the order of the tree's lines
	missing=$(printf '%s\n' "$tree" | cut -d' ' -f3 | cut -f1 |
		git --git-dir="$gd" cat-file --batch-check | paste - <(printf '%s\n' "$tree" | cut -f2-) |
		awk -F'\t' '$1 ~ / missing$/ {print $2}')
	# a scratch index without the missing blobs, checked out into the directory
	idx=$(mktemp)
	git --git-dir="$gd" --work-tree="$dest/$n" read-tree --index-output="$idx" "$commit"
	if [ -n "$missing" ]; then
		printf '%s\n' "$missing" | GIT_INDEX_FILE=$idx git --git-dir="$gd" --work-tree="$dest/$n" update-index --force-remove --stdin
	fi
	GIT_INDEX_FILE=$idx git --git-dir="$gd" --work-tree="$dest/$n" checkout-index -a -f
	rm -f "$idx"
	# an empty repository marks the root, as in a clone (.gitignore files apply)
	git init -q "$dest/$n"
	echo "$repo $commit missing=$(printf '%s' "$missing" | grep -c . || true)"
done
