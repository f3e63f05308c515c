// Command report writes BENCHMARKS.md from what bench/run.sh measured: the
// hyperfine JSON exports, the peak RSS table, the facts the script noted,
// the Go benchmark output and the profiles' top functions. It computes the
// ratios against the floors and marks each target of issue 6 met or gives
// the measured distance to it.
//
// Usage:
//
//	report -results DIR [-notes bench/NOTES.md] -out BENCHMARKS.md
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/rofix/rofix/bench/internal/hyperfine"
)

type report struct {
	dir   string
	facts map[string]string
	runs  map[string][]hyperfine.Result // by export name
	rss   [][2]string
	buf   bytes.Buffer
	err   error
}

func main() {
	dir := flag.String("results", "", "folder with run.sh's results")
	notes := flag.String("notes", "", "a Markdown file appended as the analysis section")
	out := flag.String("out", "BENCHMARKS.md", "file to write")
	flag.Parse()
	if *dir == "" {
		flag.Usage()
		os.Exit(2)
	}
	r := &report{dir: *dir, runs: map[string][]hyperfine.Result{}}
	r.load()
	if r.err != nil {
		fatal(r.err)
	}
	r.write(*notes)
	if r.err != nil {
		fatal(r.err)
	}
	if err := os.WriteFile(*out, r.buf.Bytes(), 0o644); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "report:", err)
	os.Exit(1)
}

func (r *report) read(name string) []byte {
	data, err := os.ReadFile(filepath.Join(r.dir, name))
	if err != nil && r.err == nil && !os.IsNotExist(err) {
		r.err = err
	}
	return data
}

func (r *report) load() {
	r.facts = map[string]string{}
	for _, line := range lines(r.read("facts.tsv")) {
		if k, v, ok := strings.Cut(line, "\t"); ok {
			r.facts[k] = v
		}
	}
	for _, line := range lines(r.read("rss.tsv")) {
		if k, v, ok := strings.Cut(line, "\t"); ok {
			r.rss = append(r.rss, [2]string{k, v})
		}
	}
	matches, _ := filepath.Glob(filepath.Join(r.dir, "*.json"))
	for _, m := range matches {
		var export hyperfine.Export
		data := r.read(filepath.Base(m))
		if err := json.Unmarshal(data, &export); err != nil {
			r.err = fmt.Errorf("%s: %v", m, err)
			return
		}
		r.runs[strings.TrimSuffix(filepath.Base(m), ".json")] = export.Results
	}
}

func lines(data []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if sc.Text() != "" {
			out = append(out, sc.Text())
		}
	}
	return out
}

// get returns the result of one named command, or nil.
func (r *report) get(run, cmd string) *hyperfine.Result {
	for i, res := range r.runs[run] {
		if res.Command == cmd {
			return &r.runs[run][i]
		}
	}
	return nil
}

// ratio returns a/b of two medians, or 0 when one is missing.
func (r *report) ratio(run, a, b string) float64 {
	x, y := r.get(run, a), r.get(run, b)
	if x == nil || y == nil || y.Median == 0 {
		return 0
	}
	return x.Median / y.Median
}

func (r *report) rssKiB(name string) float64 {
	for _, kv := range r.rss {
		if kv[0] == name {
			v, _ := strconv.ParseFloat(kv[1], 64)
			return v
		}
	}
	return 0
}

func (r *report) p(format string, args ...any) { fmt.Fprintf(&r.buf, format, args...) }

func ms(s float64) string {
	switch {
	case s >= 1:
		return fmt.Sprintf("%.2f s", s)
	case s >= 0.01:
		return fmt.Sprintf("%.0f ms", s*1000)
	}
	return fmt.Sprintf("%.2f ms", s*1000)
}

func (r *report) write(notes string) {
	f := r.facts
	r.p("# rofix benchmarks\n\n")
	r.p("Written by `make bench` (bench/run.sh, bench/report): do not edit by hand; ")
	r.p("the analysis at the end comes from bench/NOTES.md.\n\n")
	r.p("- Date: %s; commit %s\n", f["date"], f["commit"])
	r.p("- Machine: %s, %d cores (GOMAXPROCS %d), %s\n", cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), f["kernel"])
	r.p("- Go: %s; %s\n", f["go"], f["hyperfine"])
	r.p("- References: %s; %s\n", orMissing(f["shfmt"], "shfmt could not be installed"), orMissing(f["yq"], "yq (mikefarah) could not be installed"))
	r.p("- Load average (1, 5, 15 min) before: %s; after: %s. Numbers taken while other work ran on the machine are noisier; a 1-minute load well above 0 means they were.\n", f["load_before"], f["load_after"])
	r.p("- Runs per command: %s (hyperfine, after warm-up; times are medians, wall clock, shell start-up subtracted)\n\n", f["runs"])

	r.p("## Inputs\n\n")
	r.p("- Tree: %s\n", treeName(f["tree"]))
	r.p("- 10× tree: %s\n", treeName(f["tree10"]))
	r.p("  (compose files: the corpus (../shared/corpus/compose or $ROFIX_CORPUS), replicated; shell: generated scripts with docker/podman run commands, 1/5 of them extensionless with a shebang; the rest: READMEs, Go, JSON, non-compose YAML, extensionless files with no or a Python/Node shebang, and matching files under .git, node_modules, vendor)\n")
	r.p("- stdin compose sample: %s; stdin shell sample: %s\n", f["sample_compose"], f["sample_shell"])
	r.p("- Large compose files: %s and %s bytes, generated (services none of which is hardened)\n\n", f["big1_bytes"], f["big10_bytes"])

	r.p("Checks before timing: stdin compose exit %s; stdin shell exit %s; 10 MB exit %s; ", f["stdin_compose_status"], f["stdin_shell_status"], f["big10_status"])
	r.p("`rofix -l` on the tree: exit %s (the corpus has invalid YAML, reported as errors), %s files listed, %s lines on stderr, output identical on two runs: %s, sorted: %s. ",
		f["scan_status"], f["scan_listed"], f["scan_stderr_lines"], f["scan_stable"], f["scan_sorted"])
	r.p("Parse floor: %s (tree), %s (10× tree).", f["floor_parse"], f["floor_parse10"])
	if f["yq_files"] != "" {
		r.p(" yq is given %s.", f["yq_files"])
	}
	r.p("\n\n")

	r.targets()

	r.p("## Whole-process measurements\n\n")
	r.table("stdin-compose", "Format-on-save, compose: `rofix --stdin-filename compose.yaml < compose.yaml`", "copy")
	r.table("stdin-shell", "Format-on-save, shell: `rofix --stdin-filename script.sh < script.sh`", "copy")
	r.table("scan", "Repository scan, ≥10,000 files: `rofix -l tree`", "parse")
	r.table("scan10", "Repository scan, 10× tree: `rofix -l tree10`", "parse")
	r.table("big", "Large compose files on stdin", "copy 10MB")
	r.table("big-yq", "yq on the 10 MB compose file", "")
	r.table("il-stdin-compose", "Interleaved, no shell: stdin compose", "copy")
	r.table("il-stdin-shell", "Interleaved, no shell: stdin shell", "copy")
	r.table("il-scan", "Interleaved, no shell: scan of the tree", "parse")
	r.table("il-scale", "Interleaved, no shell: `rofix -l` on the tree and the 10× tree", "tree")
	r.table("il-big", "Interleaved, no shell: 1 MB and 10 MB compose on stdin", "1MB")

	r.p("### Peak RSS (`/usr/bin/time -v`, median of 3)\n\n| command | peak RSS |\n|---|---:|\n")
	for _, kv := range r.rss {
		v, _ := strconv.ParseFloat(kv[1], 64)
		r.p("| %s | %.1f MiB |\n", kv[0], v/1024)
	}
	r.p("\n")

	r.p("## Go benchmarks\n\n`go test -run '^$' -bench . -benchmem ./...`\n\n```\n")
	for _, line := range lines(r.read("gobench.txt")) {
		if strings.HasPrefix(line, "Benchmark") || strings.HasPrefix(line, "pkg:") {
			r.p("%s\n", line)
		}
	}
	r.p("```\n\n")

	r.p("## Profiles\n\nCPU profiles of cli.Main (bench/cliprof runs the same code as the binary): ")
	r.p("`rofix -l` on the 10× tree (3 runs), the stdin path on the compose sample (3000 runs, in process: no process start-up), and the 10 MB compose file (3 runs). ")
	r.p("Top functions by flat time, then by cumulative time.\n\n")
	for _, p := range []struct{ file, title string }{
		{"scan", "Scan"}, {"stdin", "stdin, compose sample"}, {"big", "stdin, 10 MB compose"},
	} {
		top, cum := r.read(p.file+".top"), r.read(p.file+".cum")
		if len(top) == 0 {
			continue
		}
		r.p("### %s\n\n```\n%s```\n\n```\n%s```\n\n", p.title, trimTop(top, 16), trimTop(cum, 22))
	}
	if it := r.read("inittrace.txt"); len(it) > 0 {
		r.p("### Package initialisation at start-up (`GODEBUG=inittrace=1`, slowest first)\n\n```\n%s```\n\n", slowestInits(it, 8))
	}

	if notes != "" {
		if data, err := os.ReadFile(notes); err == nil {
			r.p("%s", data)
		}
	}
}

func orMissing(s, missing string) string {
	if s == "" {
		return missing
	}
	return s
}

// targets writes the table of issue 6's targets. Time ratios are judged
// on the interleaved runs (bench/interleave) when there are some, since
// both commands then meet the same background load; hyperfine's ratio and
// the CPU-time ratio are shown beside them.
func (r *report) targets() {
	r.p("## Targets (issue 6)\n\n")
	r.p("Time ratios are judged on the interleaved runs (bench/interleave: the two commands alternate, run without a shell, so both meet the same background load); ")
	r.p("hyperfine's ratio of medians (each command's runs in a block, shell start-up subtracted) and the ratio of CPU time (user + sys) are given beside them.\n\n")
	r.p("| # | target | measured | status |\n|---|---|---|---|\n")
	row := func(n, target, measured string, ok bool, miss string) {
		status := "met"
		if !ok {
			status = "**missed**: " + miss
		}
		r.p("| %s | %s | %s | %s |\n", n, target, measured, status)
	}
	// ratio describes a/b from the interleaved run il and the hyperfine run
	// hf, and returns the ratio the target is judged on.
	ratio := func(il, ilA, ilB, hf, hfA, hfB string) (float64, string) {
		var parts []string
		judged := 0.0
		if x, y := r.get(il, ilA), r.get(il, ilB); x != nil && y != nil && y.Median > 0 {
			judged = x.Median / y.Median
			parts = append(parts, fmt.Sprintf("interleaved %.2f× (medians %s vs %s)", judged, ms(x.Median), ms(y.Median)))
			if c := y.User + y.System; c > 0 {
				parts = append(parts, fmt.Sprintf("CPU time %.2f×", (x.User+x.System)/c))
			}
		}
		if x, y := r.get(hf, hfA), r.get(hf, hfB); x != nil && y != nil && y.Median > 0 {
			h := x.Median / y.Median
			if judged == 0 {
				judged = h
			}
			parts = append(parts, fmt.Sprintf("hyperfine %.2f× (%s vs %s)", h, ms(x.Median), ms(y.Median)))
		}
		return judged, strings.Join(parts, "; ")
	}
	limitRow := func(n, target string, x float64, measured string, limit float64) {
		if x == 0 {
			row(n, target, "not measured", false, "no data")
			return
		}
		row(n, target, measured, x <= limit, fmt.Sprintf("%.2f× measured, %g× allowed: %.0f %% over", x, limit, (x/limit-1)*100))
	}
	x, m := ratio("il-stdin-compose", "rofix", "copy", "stdin-compose", "rofix", "copy")
	limitRow("1", "stdin, 1-3 KB compose ≤ 2× copy floor", x, m, 2)
	x, m = ratio("il-stdin-shell", "rofix", "copy", "stdin-shell", "rofix", "copy")
	limitRow("1", "stdin, 2 KB shell script ≤ 2× copy floor", x, m, 2)
	x, m = ratio("il-scan", "rofix", "parse", "scan", "rofix", "parse")
	limitRow("2", "`rofix -l` on ≥10,000 files ≤ 2× parse-only floor", x, m, 2)
	// The previous commit (BENCH_PREV), built from source and interleaved
	// in the same runs: a regression shows as a ratio over 1 whatever the
	// machine.
	for _, g := range []struct{ run, label string }{
		{"il-stdin-compose", "stdin compose"}, {"il-stdin-shell", "stdin shell"}, {"il-scan", "`rofix -l` on the tree"},
	} {
		if x, m := ratio(g.run, "rofix", "prev", "", "", ""); x > 0 {
			row("-", fmt.Sprintf("%s not slower than %s (built in the same run)", g.label, r.facts["prev"]), m, x <= 1,
				fmt.Sprintf("%.2f× the previous commit's time", x))
		}
	}
	if s := r.get("scan", "rofix"); s != nil && s.Mean > 0 {
		cores := (s.User + s.System) / s.Mean
		row("2", "both cores busy during the scan", fmt.Sprintf("CPU time / wall time = %.2f (hyperfine means)", cores), cores >= 1.5,
			fmt.Sprintf("%.2f of 2 cores used (low when other work holds the cores)", cores))
	}
	row("2", "output order stable", "identical on two runs: "+r.facts["scan_stable"]+" (byte-sorted: "+r.facts["scan_sorted"]+")",
		r.facts["scan_stable"] == "yes", "two runs listed files in different orders")
	a, b := r.rssKiB("rofix -l tree"), r.rssKiB("rofix -l tree10")
	if a > 0 && b > 0 {
		row("3", "peak RSS of the scan ≤ 50 MiB", fmt.Sprintf("%.1f MiB (tree), %.1f MiB (10× tree)", a/1024, b/1024),
			b <= 50*1024 && a <= 50*1024, fmt.Sprintf("%.1f MiB over", (max(a, b)-50*1024)/1024))
		growth := b / a
		row("3", "peak RSS independent of file count (10× files: ≤ 1.25× RSS)", fmt.Sprintf("%.2f× for 10× the files", growth), growth <= 1.25,
			fmt.Sprintf("grows %.1f MiB per 10,000 files", (b-a)/1024/9))
	}
	x, m = ratio("il-scale", "tree10", "tree", "scan10", "rofix", "")
	if x == 0 || r.get("il-scale", "tree") == nil {
		if y, z := r.get("scan10", "rofix"), r.get("scan", "rofix"); y != nil && z != nil {
			x, m = y.Median/z.Median, fmt.Sprintf("hyperfine %.2f× (%s vs %s)", y.Median/z.Median, ms(y.Median), ms(z.Median))
		}
	}
	limitRow("4", "10× input ≤ 11× time (`rofix -l`, tree → 10× tree)", x, m, 11)
	x, m = ratio("il-big", "10MB", "1MB", "big", "rofix 10MB", "rofix 1MB")
	limitRow("4", "10× input ≤ 11× time (stdin, 1 MB → 10 MB compose)", x, m, 11)
	var big []string
	ok := true
	for _, g := range []struct{ run, cmd, label string }{{"il-big", "10MB", "interleaved"}, {"big", "rofix 10MB", "hyperfine"}} {
		if x := r.get(g.run, g.cmd); x != nil {
			big = append(big, fmt.Sprintf("%s %s", g.label, ms(x.Median)))
			ok = ok && x.Median < 1
		}
	}
	if len(big) > 0 {
		over := ""
		if x := r.get("il-big", "10MB"); x != nil {
			over = fmt.Sprintf("%.2f s over", x.Median-1)
		} else if x := r.get("big", "rofix 10MB"); x != nil {
			over = fmt.Sprintf("%.2f s over", x.Median-1)
		}
		if p := r.get("big", "parse 10MB"); p != nil {
			over += fmt.Sprintf(" (the parse-only floor alone: %s)", ms(p.Median))
		}
		row("4", "one 10 MB compose file < 1 s", strings.Join(big, "; "), ok, over)
	}
	// Issue 18's goals that have no row above.
	x, m = ratio("il-big", "10MB", "parse10", "big", "rofix 10MB", "parse 10MB")
	limitRow("18", "one 10 MB compose file ≤ 2.5× one yaml.v3 parse of it (floor/parse)", x, m, 2.5)
	if ns := r.goBench("BenchmarkDidChange"); ns > 0 {
		row("18", "`rofix lsp`: diagnostics of a 2 KB compose file within 5 ms of a change (in process, BenchmarkDidChange)",
			fmt.Sprintf("%s per change", ms(ns/1e9)), ns <= 5e6, fmt.Sprintf("%s over", ms((ns-5e6)/1e9)))
	}
	r.p("\n")
}

// goBench returns the ns/op of the Go benchmark name (its first line in
// gobench.txt), or 0.
func (r *report) goBench(name string) float64 {
	for _, line := range lines(r.read("gobench.txt")) {
		f := strings.Fields(line)
		if len(f) < 4 || f[3] != "ns/op" || strings.Split(f[0], "-")[0] != name {
			continue
		}
		if v, err := strconv.ParseFloat(f[2], 64); err == nil {
			return v
		}
	}
	return 0
}

// table writes one hyperfine comparison with ratios against floor.
func (r *report) table(run, title, floor string) {
	res := r.runs[run]
	if len(res) == 0 {
		return
	}
	r.p("### %s\n\n", title)
	r.p("| command | median | mean ± σ | min | user + sys | vs %s |\n|---|---:|---:|---:|---:|---:|\n", floor)
	base := r.get(run, floor)
	for _, x := range res {
		vs := ""
		if base != nil && base.Median > 0 {
			vs = fmt.Sprintf("%.2f×", x.Median/base.Median)
		}
		r.p("| %s | %s | %s ± %s | %s | %s | %s |\n", x.Command, ms(x.Median), ms(x.Mean), ms(x.Stddev), ms(x.Min), ms(x.User+x.System), vs)
	}
	if cmds := r.read(run + ".txt"); len(cmds) > 0 {
		r.p("\n<details><summary>raw output</summary>\n\n```\n%s```\n</details>\n", cmds)
	}
	r.p("\n")
}

// trimTop keeps pprof -top's header lines that matter and n rows.
func trimTop(data []byte, n int) string {
	var b strings.Builder
	rows := 0
	for _, line := range lines(data) {
		switch {
		case strings.HasPrefix(line, "File:"), strings.HasPrefix(line, "Type:"), strings.HasPrefix(line, "Time:"),
			strings.HasPrefix(line, "Build ID:"), strings.HasPrefix(line, "Dropped"):
			continue
		case strings.HasPrefix(strings.TrimSpace(line), "flat"), strings.HasPrefix(line, "Duration:"), strings.HasPrefix(line, "Showing"):
		default:
			if rows >= n {
				continue
			}
			rows++
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// slowestInits returns the n init lines of GODEBUG=inittrace=1 that took
// longest, and the total.
func slowestInits(data []byte, n int) string {
	type ini struct {
		line string
		ms   float64
	}
	var inits []ini
	var total float64
	for _, line := range lines(data) {
		fs := strings.Fields(line)
		if len(fs) < 5 || fs[0] != "init" {
			continue
		}
		v, err := strconv.ParseFloat(fs[4], 64)
		if err != nil {
			continue
		}
		total += v
		inits = append(inits, ini{line, v})
	}
	sort.SliceStable(inits, func(i, j int) bool { return inits[i].ms > inits[j].ms })
	var b strings.Builder
	for i, x := range inits {
		if i == n {
			break
		}
		b.WriteString(x.line)
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "total of %d package inits: %.3f ms clock\n", len(inits), total)
	return b.String()
}

// cpuModel returns the CPU's model name from /proc/cpuinfo.
func cpuModel() string {
	data, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range lines(data) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// treeName drops the temporary directory from gentree's "DIR: counts" line:
// the report names no path of the machine it ran on.
func treeName(line string) string {
	dir, counts, ok := strings.Cut(line, ": ")
	if !ok {
		return line
	}
	return filepath.Base(dir) + ": " + counts
}
