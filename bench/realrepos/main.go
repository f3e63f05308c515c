// Command realrepos measures rofix as a one-shot migration over real
// repositories, judged as the reviewer of the resulting pull request would
// judge it: it runs rofix -d from each repository's root, takes every
// changed file and edit apart, and counts the edits a reviewer rejects
// (see Class), the errors and crashes, and whether a second run after -w
// changes nothing. It prints a markdown report.
//
// Its rules are written from the repositories' conventions, independently
// of rofix's code (it imports no rofix package), so that the same yardstick
// can judge any rofix binary. Run it through run.sh:
//
//	bench/realrepos/run.sh REPOS_DIR ROFIX_BINARY [rofix flags...]
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	reposDir := flag.String("repos", "", "directory holding one checkout per repository (owner+name)")
	rofix := flag.String("rofix", "", "the rofix binary to measure")
	list := flag.String("list", "", "REPOS.tsv: measure only the repositories it lists (owner/name in the first column)")
	examples := flag.String("examples", "", "write every rejected edit to this TSV file")
	scratch := flag.String("scratch", os.TempDir(), "where the -w copies go (hard links; removed after each repository)")
	flag.Parse()
	if *reposDir == "" || *rofix == "" {
		fmt.Fprintln(os.Stderr, "usage: realrepos -repos DIR -rofix BINARY [-list REPOS.tsv] [-examples FILE] [-- rofix flags]")
		os.Exit(2)
	}
	bin, err := filepath.Abs(*rofix)
	if err != nil {
		fatal(err)
	}
	repos, err := repoDirs(*reposDir, *list)
	if err != nil {
		fatal(err)
	}
	var ex io.Writer = io.Discard
	if *examples != "" {
		f, err := os.Create(*examples)
		if err != nil {
			fatal(err)
		}
		defer f.Close()
		ex = f
		fmt.Fprintln(ex, "repo\tclass\tplace\tadded\tcontainer")
	}
	m := &measure{rofix: bin, flags: flag.Args(), scratch: *scratch, examples: ex}
	start := time.Now()
	var results []*Result
	for _, dir := range repos {
		r, err := m.repo(dir)
		if err != nil {
			fatal(err)
		}
		fmt.Fprintf(os.Stderr, "realrepos: %s: %d files, %v\n", r.Repo, r.Files, r.Took.Round(time.Millisecond))
		results = append(results, r)
	}
	writeReport(os.Stdout, results, bin, flag.Args(), time.Since(start))
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "realrepos:", err)
	os.Exit(1)
}

// repoDirs returns the checkouts to measure, in the order of list when given.
func repoDirs(dir, list string) ([]string, error) {
	if list == "" {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		var dirs []string
		for _, e := range ents {
			if e.IsDir() {
				dirs = append(dirs, filepath.Join(dir, e.Name()))
			}
		}
		return dirs, nil
	}
	data, err := os.ReadFile(list)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, l := range strings.Split(string(data), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		name, _, _ := strings.Cut(l, "\t")
		d := filepath.Join(dir, strings.ReplaceAll(name, "/", "+"))
		if _, err := os.Stat(d); err != nil {
			return nil, fmt.Errorf("%s: not checked out (bench/realrepos/checkout.sh): %w", name, err)
		}
		dirs = append(dirs, d)
	}
	return dirs, nil
}

// A Result is one repository's measurement.
type Result struct {
	Repo       string
	Files      int // files the diff changes
	Hunks      int
	Edits      int           // containers edited
	Rejected   int           // edits with at least one class
	ClassEdits map[Class]int // edits per class
	ClassFiles map[Class]int // files with an edit of the class
	Errors     []string      // stderr lines without the path:line:col: rule: shape
	Notes      int           // note: lines
	Exit       int           // rofix -d's exit status
	Crash      bool          // a panic or an exit status other than 0, 1 and 2
	NotIdem    []string      // files rofix -l lists after rofix -w
	Took       time.Duration // rofix -d's wall time
}

type measure struct {
	rofix    string
	flags    []string
	scratch  string
	examples io.Writer
}

func (m *measure) repo(dir string) (*Result, error) {
	r := &Result{Repo: strings.Replace(filepath.Base(dir), "+", "/", 1),
		ClassEdits: map[Class]int{}, ClassFiles: map[Class]int{}}
	work := filepath.Join(m.scratch, "realrepos-"+filepath.Base(dir))
	os.RemoveAll(work)
	// hard links: rofix -w replaces a file by renaming a new one over it,
	// so the checkout itself is never written
	if out, err := exec.Command("cp", "-al", dir, work).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("cp -al %s: %v: %s", dir, err, out)
	}
	defer os.RemoveAll(work)

	start := time.Now()
	diff, stderr, code, err := m.rofixIn(work, "-d")
	r.Took = time.Since(start)
	if err != nil {
		return nil, err
	}
	r.Exit = code
	r.Crash = code > 2 || code < 0 || strings.Contains(stderr, "panic:") || strings.Contains(stderr, "goroutine ")
	for _, l := range strings.Split(stderr, "\n") {
		switch {
		case l == "":
		case strings.Contains(l, ": note: "):
			r.Notes++
		case !findingShape().MatchString(l):
			r.Errors = append(r.Errors, l)
		}
	}
	if _, _, _, err := m.rofixIn(work, "-w"); err != nil {
		return nil, err
	}
	listed, _, _, err := m.rofixIn(work, "-l")
	if err != nil {
		return nil, err
	}
	r.NotIdem = strings.Fields(listed)

	for _, fd := range ParseDiff(diff) {
		if err := m.file(r, dir, work, fd); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// rofixIn runs rofix with mode and the measured flags on "." in dir.
func (m *measure) rofixIn(dir, mode string) (stdout, stderr string, code int, err error) {
	cmd := exec.Command(m.rofix, append(append([]string{mode}, m.flags...), ".")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return o.String(), e.String(), exit.ExitCode(), nil
	}
	return o.String(), e.String(), 0, err
}

// file classifies the edits of one changed file.
func (m *measure) file(r *Result, orig, work string, fd FileDiff) error {
	r.Files++
	r.Hunks += len(fd.Hunks)
	data, err := os.ReadFile(filepath.Join(work, fd.Path))
	if err != nil {
		return fmt.Errorf("%s: %w", r.Repo, err)
	}
	before, err := os.ReadFile(filepath.Join(orig, fd.Path))
	if err != nil {
		return fmt.Errorf("%s: %w", r.Repo, err)
	}
	lines := strings.Split(string(data), "\n")
	fileClasses := PathClasses(fd.Path)
	if IsGenerated(string(before)) {
		fileClasses = append(fileClasses, Generated)
	}
	// the edits: added lines grouped by the unit that holds them
	type edit struct {
		unit  Unit
		added []string
		nums  []int
		first int
	}
	var edits []*edit
	byStart := map[int]*edit{}
	for _, h := range fd.Hunks {
		for _, n := range h.Added {
			if n < 1 || n > len(lines) {
				continue
			}
			u := FindUnit(fd.Path, lines, n-1)
			e := byStart[u.Start]
			if e == nil {
				e = &edit{unit: u, first: n}
				byStart[u.Start] = e
				edits = append(edits, e)
			}
			e.added = append(e.added, h.Text[n])
			e.nums = append(e.nums, n-1)
		}
	}
	base := filepath.Join(orig, filepath.Dir(fd.Path))
	isDir := func(p string) int {
		st, err := os.Stat(filepath.Join(base, p))
		switch {
		case err != nil:
			return 0
		case st.IsDir():
			return 1
		}
		return -1
	}
	seen := map[Class]bool{}
	for _, e := range edits {
		r.Edits++
		rest := ""
		if e.unit.End+1 < len(lines) {
			rest = strings.Join(lines[e.unit.End+1:], "\n")
		}
		cs := append(slices.Clone(fileClasses), EditClasses(e.unit, strings.Join(e.added, "\n"), rest)...)
		dirs := ReadOnlyDirs(lines, e.nums, isDir)
		if len(dirs) > 0 {
			cs = append(cs, DotDir)
		}
		if len(cs) > 0 {
			r.Rejected++
		}
		for _, c := range cs {
			r.ClassEdits[c]++
			if !seen[c] {
				seen[c] = true
				r.ClassFiles[c]++
			}
			place := fmt.Sprintf("%s:%d", fd.Path, e.first)
			what := e.added[0]
			if c == DotDir {
				what = strings.Join(dirs, " ")
			}
			fmt.Fprintf(m.examples, "%s\t%s\t%s\t%s\t%s\n", r.Repo, c, place,
				clip(strings.TrimSpace(what), 120), clip(firstLine(e.unit.Text), 160))
		}
	}
	return nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}

func clip(s string, n int) string {
	s = strings.ReplaceAll(s, "\t", " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
