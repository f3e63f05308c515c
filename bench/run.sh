#!/bin/sh
# bench/run.sh (make bench): measures rofix side by side with its floors and
# with shfmt and yq, and writes BENCHMARKS.md at the repository root.
#
# It installs no system package: it checks for hyperfine and /usr/bin/time
# (Debian packages hyperfine and time) and stops with the command to run if
# one is missing. shfmt and yq are Go programs, installed with go install
# into a bench-local GOBIN (bench/.gobin, ignored by git); if one cannot be
# installed the report says so and the rest still runs.
#
# All generated input (the 10,000-file tree, its 10x version, the 10 MB
# compose file) lives in a temporary folder, removed at the end unless
# BENCH_KEEP=1. The compose corpus is read where it is: ROFIX_CORPUS, else
# ../shared/corpus/compose (next to the repository).
#
# BENCH_QUICK=1 cuts the number of runs, for trying the script out; the
# numbers it reports are then noisier.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

die() { echo "bench: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }

command -v hyperfine >/dev/null 2>&1 || die "hyperfine not found: apt-get install hyperfine"
[ -x /usr/bin/time ] || die "/usr/bin/time not found: apt-get install time"
command -v go >/dev/null 2>&1 || die "go not found"

CORPUS=${ROFIX_CORPUS:-}
if [ -z "$CORPUS" ]; then
	for c in "$ROOT/../shared/corpus/compose"; do
		if [ -f "$c/SOURCES.tsv" ]; then CORPUS=$c; break; fi
	done
fi
[ -n "$CORPUS" ] && [ -f "$CORPUS/SOURCES.tsv" ] || die "compose corpus not found; set ROFIX_CORPUS"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rofix-bench.XXXXXX")
if [ "${BENCH_KEEP:-}" = 1 ]; then
	log "keeping $WORK"
else
	trap 'rm -rf "$WORK"' EXIT
fi
B=$WORK/bin
R=$WORK/results
mkdir -p "$B" "$R" "$WORK/in" "$WORK/big1" "$WORK/big10"

# Runs per measurement: many for the millisecond-long stdin runs, fewer for
# the scans.
if [ "${BENCH_QUICK:-}" = 1 ]; then
	STDIN_RUNS=30 SCAN_RUNS=3 BIG_RUNS=2 SCALE_RUNS=2
else
	STDIN_RUNS=300 SCAN_RUNS=15 BIG_RUNS=5 SCALE_RUNS=3
fi

# facts are key<TAB>value lines the report reads.
fact() { printf '%s\t%s\n' "$1" "$2" >>"$R/facts.tsv"; }

# Other work on the machine skews everything: the load is noted before and
# after.
fact load_before "$(cut -d' ' -f1-3 /proc/loadavg)"

log "building rofix, the floors and the generators"
go build -o "$B/rofix" ./cmd/rofix
for p in floor/copy floor/parse gentree genfile report cliprof interleave; do
	go build -o "$B/$(basename "$p")" "./bench/$p"
done

# The previous release commit, built from source: it runs interleaved with
# rofix on the same inputs, so a regression shows as a ratio (BENCH_PREV,
# a commit of this repository; BENCH_PREV= leaves it out).
PREV=${BENCH_PREV-7c5e657}
if [ -n "$PREV" ] && git cat-file -e "$PREV^{commit}" 2>/dev/null; then
	mkdir -p "$WORK/prev"
	git archive "$PREV" | tar -x -C "$WORK/prev"
	if (cd "$WORK/prev" && go build -o "$B/prev" ./cmd/rofix); then
		fact prev "$PREV"
	else
		log "the previous commit $PREV does not build; left out"
	fi
elif [ -n "$PREV" ]; then
	log "previous commit $PREV not found; left out"
fi
GOBIN_DIR=${BENCH_GOBIN:-$ROOT/bench/.gobin}
mkdir -p "$GOBIN_DIR"
SHFMT_VERSION=v3.14.1
YQ_VERSION=v4.54.3
SHFMT=$GOBIN_DIR/shfmt
YQ=$GOBIN_DIR/yq
if [ ! -x "$SHFMT" ] || [ "$("$SHFMT" --version 2>/dev/null)" != "$SHFMT_VERSION" ]; then
	GOBIN=$GOBIN_DIR go install "mvdan.cc/sh/v3/cmd/shfmt@$SHFMT_VERSION" || SHFMT=
fi
if [ ! -x "$YQ" ] || ! "$YQ" --version 2>/dev/null | grep -q "${YQ_VERSION#v}"; then
	GOBIN=$GOBIN_DIR go install "github.com/mikefarah/yq/v4@$YQ_VERSION" || YQ=
fi
[ -n "$SHFMT" ] && [ -x "$SHFMT" ] || { SHFMT=; log "shfmt could not be installed; left out"; }
[ -n "$YQ" ] && [ -x "$YQ" ] || { YQ=; log "yq could not be installed; left out"; }
fact shfmt "${SHFMT:+shfmt $SHFMT_VERSION}"
fact yq "${YQ:+yq $YQ_VERSION}"

log "generating inputs in $WORK"
"$B/gentree" -corpus "$CORPUS" -out "$WORK/tree" -replicas 10 >"$R/tree.txt"
"$B/gentree" -corpus "$CORPUS" -out "$WORK/tree10" -replicas 100 >"$R/tree10.txt"
SAMPLE=dockersamples__example-voting-app/docker-compose.yml
cp "$CORPUS/$SAMPLE" "$WORK/in/compose.yaml"
"$B/genfile" -kind shell -size 2048 >"$WORK/in/script.sh"
"$B/genfile" -kind compose -size 1048576 >"$WORK/big1/compose.yaml"
"$B/genfile" -kind compose -size 10485760 >"$WORK/big10/compose.yaml"
fact sample_compose "$SAMPLE ($(wc -c <"$WORK/in/compose.yaml") bytes)"
fact sample_shell "generated ($(wc -c <"$WORK/in/script.sh") bytes)"
fact big1_bytes "$(wc -c <"$WORK/big1/compose.yaml")"
fact big10_bytes "$(wc -c <"$WORK/big10/compose.yaml")"
fact tree "$(cat "$R/tree.txt")"
fact tree10 "$(cat "$R/tree10.txt")"

# Sanity: the commands do real work (the samples change, the scan lists
# files), the scan's output is stable, and the exit statuses are recorded
# (the corpus holds invalid YAML, on which rofix reports an error: status 2).
log "checking the commands"
cd "$WORK"
status() { set +e; "$@"; s=$?; set -e; echo "$s"; }
s=$(status sh -c "'$B/rofix' --stdin-filename compose.yaml <in/compose.yaml >in/compose.out 2>/dev/null")
fact stdin_compose_status "$s; output $(cmp -s in/compose.yaml in/compose.out && echo unchanged || echo changed)"
s=$(status sh -c "'$B/rofix' --stdin-filename script.sh <in/script.sh >in/script.out 2>/dev/null")
fact stdin_shell_status "$s; output $(cmp -s in/script.sh in/script.out && echo unchanged || echo changed)"
s=$(status sh -c "'$B/rofix' --stdin-filename compose.yaml <big10/compose.yaml >big10/out 2>/dev/null")
fact big10_status "$s; output $(cmp -s big10/compose.yaml big10/out && echo unchanged || echo changed)"
rm -f big10/out
s=$(status sh -c "'$B/rofix' -l tree >list1.txt 2>scan-stderr.txt")
"$B/rofix" -l tree >list2.txt 2>/dev/null || true
fact scan_status "$s"
fact scan_listed "$(wc -l <list1.txt)"
fact scan_stderr_lines "$(wc -l <scan-stderr.txt)"
fact scan_stable "$(cmp -s list1.txt list2.txt && echo yes || echo NO)"
fact scan_sorted "$(LC_ALL=C sort -c list1.txt 2>/dev/null && echo yes || echo NO)"
fact floor_parse "$("$B/parse" tree 2>&1 >/dev/null)"
fact floor_parse10 "$("$B/parse" tree10 2>&1 >/dev/null)"

# yq stops at the first file it cannot read, so its file list leaves out
# the compose files yq rejects (found on the first replica).
if [ -n "$YQ" ]; then
	: >yq-bad.txt
	find tree/r000 \( -name .git -o -name node_modules -o -name vendor \) -prune -o -type f \
		\( -name 'compose*.y*ml' -o -name 'docker-compose*.y*ml' \) -print |
		while IFS= read -r f; do
			"$YQ" '.services | length' "$f" >/dev/null 2>&1 || echo "${f#tree/r000/}" >>yq-bad.txt
		done
	sed 's|^|/|' yq-bad.txt >yq-bad-patterns.txt
	find tree \( -name .git -o -name node_modules -o -name vendor \) -prune -o -type f \
		\( -name 'compose*.y*ml' -o -name 'docker-compose*.y*ml' \) -print0 |
		{ grep -zvF -f yq-bad-patterns.txt || true; } >yq-files0
	fact yq_files "$(tr -cd '\0' <yq-files0 | wc -c) compose files ($(wc -l <yq-bad.txt) per replica left out: yq rejects them)"
fi

# hyperfine runs each command through sh and subtracts the shell's own
# start-up, so "< file" costs the same for every command.
hf() {
	name=$1 runs=$2 warm=$3
	shift 3
	log "hyperfine: $name"
	hyperfine --style basic --ignore-failure --runs "$runs" --warmup "$warm" \
		--export-json "$R/$name.json" "$@" >"$R/$name.txt" 2>&1 || {
		cat "$R/$name.txt" >&2
		die "hyperfine $name failed"
	}
}

set -- -n copy "'$B/copy' <in/compose.yaml" \
	-n rofix "'$B/rofix' --stdin-filename compose.yaml <in/compose.yaml"
[ -n "$YQ" ] && set -- "$@" -n yq "'$YQ' -P . <in/compose.yaml"
hf stdin-compose "$STDIN_RUNS" 30 "$@"

set -- -n copy "'$B/copy' <in/script.sh" \
	-n rofix "'$B/rofix' --stdin-filename script.sh <in/script.sh"
[ -n "$SHFMT" ] && set -- "$@" -n shfmt "'$SHFMT' <in/script.sh"
hf stdin-shell "$STDIN_RUNS" 30 "$@"

set -- -n parse "'$B/parse' tree" -n rofix "'$B/rofix' -l tree"
[ -n "$SHFMT" ] && set -- "$@" -n "shfmt -l" "'$SHFMT' -l tree"
[ -n "$YQ" ] && set -- "$@" -n yq "xargs -0 -P 2 -n 500 '$YQ' '.services | length' <yq-files0"
hf scan "$SCAN_RUNS" 2 "$@"

hf scan10 "$BIG_RUNS" 1 -n parse "'$B/parse' tree10" -n rofix "'$B/rofix' -l tree10"

set -- -n "copy 10MB" "'$B/copy' <big10/compose.yaml" \
	-n "parse 10MB" "'$B/parse' big10" \
	-n "rofix 1MB" "'$B/rofix' --stdin-filename compose.yaml <big1/compose.yaml" \
	-n "rofix 10MB" "'$B/rofix' --stdin-filename compose.yaml <big10/compose.yaml"
hf big "$BIG_RUNS" 1 "$@"
# yq takes about 20 s on the 10 MB file: two runs are enough for a reference.
[ -n "$YQ" ] && hf big-yq 2 0 -n "yq 10MB" "'$YQ' -P . <big10/compose.yaml"

# The same comparisons run interleaved (A, B, A, B, ...) by bench/interleave,
# without a shell: both commands meet the same background load, so their
# ratio holds even when other work disturbs the absolute times. The
# targets are judged on these; hyperfine's numbers are shown beside them.
il() {
	name=$1 runs=$2 warm=$3
	shift 3
	log "interleaved: $name"
	"$B/interleave" -runs "$runs" -warmup "$warm" -export-json "$R/$name.json" "$@" >"$R/$name.txt"
}
# Each with the previous commit's binary too, when it was built.
set -- "copy=$B/copy <in/compose.yaml" "rofix=$B/rofix --stdin-filename compose.yaml <in/compose.yaml"
[ -x "$B/prev" ] && set -- "$@" "prev=$B/prev --stdin-filename compose.yaml <in/compose.yaml"
il il-stdin-compose "$STDIN_RUNS" 20 "$@"
set -- "copy=$B/copy <in/script.sh" "rofix=$B/rofix --stdin-filename script.sh <in/script.sh"
[ -x "$B/prev" ] && set -- "$@" "prev=$B/prev --stdin-filename script.sh <in/script.sh"
il il-stdin-shell "$STDIN_RUNS" 20 "$@"
set -- "parse=$B/parse tree" "rofix=$B/rofix -l tree"
[ -x "$B/prev" ] && set -- "$@" "prev=$B/prev -l tree"
il il-scan "$SCAN_RUNS" 2 "$@"
il il-scale "$SCALE_RUNS" 1 "tree=$B/rofix -l tree" "tree10=$B/rofix -l tree10"
il il-big "$BIG_RUNS" 1 "1MB=$B/rofix --stdin-filename compose.yaml <big1/compose.yaml" \
	"10MB=$B/rofix --stdin-filename compose.yaml <big10/compose.yaml" "parse10=$B/parse big10"

# Peak RSS: the median of three runs of /usr/bin/time -v.
log "peak RSS"
rss() {
	name=$1
	shift
	for i in 1 2 3; do
		/usr/bin/time -v -o "$R/time.txt" sh -c "$*" >/dev/null 2>&1 || true
		sed -n 's/.*Maximum resident set size (kbytes): //p' "$R/time.txt"
	done | sort -n | sed -n 2p | { read -r kib; printf '%s\t%s\n' "$name" "$kib" >>"$R/rss.tsv"; }
}
rss "rofix -l tree" "exec '$B/rofix' -l tree"
rss "rofix -l tree10" "exec '$B/rofix' -l tree10"
rss "parse tree" "exec '$B/parse' tree"
rss "parse tree10" "exec '$B/parse' tree10"
rss "rofix stdin compose" "exec '$B/rofix' --stdin-filename compose.yaml <in/compose.yaml"
rss "rofix stdin 10MB" "exec '$B/rofix' --stdin-filename compose.yaml <big10/compose.yaml"
rss "copy stdin compose" "exec '$B/copy' <in/compose.yaml"

# Profiles: the scan and the stdin path through cli.Main (bench/cliprof),
# and package initialisation at start-up.
log "profiles"
"$B/cliprof" -cpuprofile "$R/scan.pprof" -n 3 -- -l tree10 2>/dev/null
"$B/cliprof" -cpuprofile "$R/stdin.pprof" -n 3000 -stdin -- --stdin-filename compose.yaml <in/compose.yaml 2>/dev/null
"$B/cliprof" -cpuprofile "$R/big.pprof" -n 3 -stdin -- --stdin-filename compose.yaml <big10/compose.yaml 2>/dev/null
for p in scan stdin big; do
	go tool pprof -top -nodecount=25 "$B/cliprof" "$R/$p.pprof" >"$R/$p.top" 2>/dev/null || true
	go tool pprof -top -cum -nodecount=25 "$B/cliprof" "$R/$p.pprof" >"$R/$p.cum" 2>/dev/null || true
done
GODEBUG=inittrace=1 "$B/rofix" --stdin-filename compose.yaml <in/compose.yaml 2>"$R/inittrace.txt" >/dev/null || true
cd "$ROOT"

log "go test -bench"
go test -run '^$' -bench . -benchmem ./... >"$R/gobench.txt" 2>&1 || {
	cat "$R/gobench.txt" >&2
	die "go test -bench failed"
}

fact load_after "$(cut -d' ' -f1-3 /proc/loadavg)"
fact date "$(date -u '+%Y-%m-%d %H:%M UTC')"
fact commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
fact go "$(go version)"
fact kernel "$(uname -sr)"
fact hyperfine "$(hyperfine --version)"
fact runs "stdin $STDIN_RUNS, scan $SCAN_RUNS, 10x tree and 10 MB $BIG_RUNS (interleaved 10x scaling: $SCALE_RUNS)"
"$B/report" -results "$R" -notes bench/NOTES.md -out BENCHMARKS.md
log "wrote BENCHMARKS.md"
