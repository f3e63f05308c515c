package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/rofix/rofix/rewrite"
	"github.com/rofix/rofix/rewrite/config"
	"github.com/rofix/rofix/rewrite/diff"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
	"github.com/rofix/rofix/rewrite/textpos"
)

// outcome is what processing one job produced, ready to render.
type outcome struct {
	job job
	res *rewrite.Result
	err error // reading or writing failed
	// badConfig is set when the file's config file has errors: the file
	// was not processed (err says so). firstOfConfig marks the first file
	// of that config in the output, where its errors are printed.
	badConfig     *config.Governing
	firstOfConfig bool
}

// runPaths processes every file on the command line, in parallel on all
// cores, and renders the outcomes in path order as they complete.
func runPaths(opts *options, stdout, stderr io.Writer) int {
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	// One write per file, not per finding; flushed after each file so the
	// messages stay next to the file's diff on a terminal.
	errs := bufio.NewWriter(stderr)
	status := ExitOK
	shown := map[string]bool{} // config files whose errors were printed
	rep := newReporter(opts, errs)
	emit := func(o *outcome) {
		if o.badConfig != nil {
			o.firstOfConfig = !shown[o.badConfig.Path]
			shown[o.badConfig.Path] = true
		}
		var s int
		if rep.progress == nil {
			s = render(opts, o, out, errs)
		} else {
			s = renderUnder(rep.progress, opts, o, out, errs)
		}
		if s > status {
			status = s
		}
		rep.add(o)
		errs.Flush()
	}
	opts.cache, opts.roots = policy.NewCache(cacheBytes), &treeRoots{git: map[string]string{}}
	forEachOrdered(func(yield func(job)) { collect(opts, opts.paths, yield) },
		func(j job) *outcome { return processJob(opts, j) }, emit)
	if err := rep.finish(out, errs); err != nil {
		fmt.Fprintf(errs, "rofix: %v\n", err)
		status = ExitError
	}
	errs.Flush()
	return status
}

// forEachOrdered runs work on every job the producer yields, with one
// worker per core, and calls emit with the results in the order the jobs
// were yielded. The producer streams (no list of every file is built) and
// runs at most a small window ahead of emit, so memory stays bounded by the
// window, not by the number of files, even when one file is slow.
func forEachOrdered(produce func(yield func(job)), work func(job) *outcome, emit func(*outcome)) {
	workers := runtime.GOMAXPROCS(0)
	type numbered struct {
		i int
		j job
	}
	type done struct {
		i int
		o *outcome
	}
	next := make(chan numbered)
	results := make(chan done, workers)
	window := make(chan struct{}, 4*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range next {
				results <- done{n.i, work(n.j)}
			}
		}()
	}
	go func() {
		defer close(next)
		i := 0
		produce(func(j job) {
			window <- struct{}{}
			next <- numbered{i, j}
			i++
		})
	}()
	go func() { wg.Wait(); close(results) }()
	pending := map[int]*outcome{}
	want := 0
	for d := range results {
		pending[d.i] = d.o
		for o, ok := pending[want]; ok; o, ok = pending[want] {
			delete(pending, want)
			emit(o)
			<-window
			want++
		}
	}
}

// cacheBytes bounds the content a run's policy.Cache keeps: the members
// of the compose sets of the directories the walk is in (a few KiB each),
// whose parsed trees take ten to twenty times as much.
const cacheBytes = 1 << 20

// processJob reads, hardens and (with -w) writes one file.
func processJob(opts *options, j job) *outcome {
	o := &outcome{job: j}
	if j.err != nil || j.note != "" || j.skip != nil {
		return o
	}
	if j.kind == rewrite.Markdown && !opts.docs {
		if j.explicit {
			o.job.note = "Markdown is hardened only with --docs (documentation often shows a command on purpose); left unchanged"
		}
		return o
	}
	// Other YAML is read to see whether it is a Kubernetes manifest.
	sniff := j.kind == rewrite.Unknown && !j.explicit && rewrite.IsYAMLName(filepath.Base(j.path))
	if j.kind == rewrite.Unknown && !j.explicit && !sniff && !hasShellShebang(j.path) {
		return o
	}
	src, mode, err := readFile(j.path)
	if err != nil {
		if !sniff {
			o.err = err
		}
		return o // YAML that cannot be read was never known to be rofix's
	}
	kind := j.kind
	if kind == rewrite.Unknown {
		kind = rewrite.DetectKind(j.path, src, j.explicit)
	}
	if kind == rewrite.Unknown {
		return o
	}
	if kind == rewrite.Markdown && !opts.docs {
		o.job.note = "Markdown is hardened only with --docs (documentation often shows a command on purpose); left unchanged"
		return o
	}
	if !j.explicit && !j.forced {
		if line := generated(src); line != "" {
			o.job.skip = &skip{class: skipGenerated, reason: fmt.Sprintf("generated (%s)", line)}
			return o
		}
	}
	gov := opts.configs.For(j.path)
	if gov.Err != nil {
		o.badConfig, o.job.kind = gov, kind
		o.err = fmt.Errorf("not processed: its config file %s has errors", gov.Path)
		return o
	}
	pol := withTree(gov.Policy, j.path, opts.roots)
	pol.Cache = opts.cache
	o.res = rewrite.Process(j.path, src, kind, pol)
	if opts.write && o.res.Changed() {
		if err := writeAtomic(j.path, src, o.res.Out, mode); err != nil {
			o.err = fmt.Errorf("not written: %w", trimPathError(err))
		}
	}
	return o
}

// render prints one outcome and returns the exit status it calls for.
func render(opts *options, o *outcome, stdout, stderr io.Writer) int {
	path := o.job.path
	switch {
	case o.job.err != nil:
		io.WriteString(stderr, fileError(path, finding.Unsupported, o.job.err))
		return ExitError
	case o.job.skip != nil:
		if opts.verbose {
			fmt.Fprintf(stderr, "%s: note: skipped: %s\n", path, o.job.skip.listing())
		}
		return ExitOK
	case o.job.note != "":
		if opts.verbose || !o.job.quiet {
			fmt.Fprintf(stderr, "%s: note: %s\n", path, o.job.note)
		}
		return ExitOK
	case o.badConfig != nil:
		if o.firstOfConfig {
			io.WriteString(stderr, configErrors(o.badConfig.Err))
		}
		io.WriteString(stderr, fileError(path, finding.Unsupported, o.err))
		return ExitError
	case o.res == nil && o.err != nil:
		io.WriteString(stderr, fileError(path, finding.Unsupported, o.err))
		return ExitError
	case o.res == nil:
		return ExitOK
	}
	if o.res.NotCompose && !o.job.explicit {
		return ExitOK // any YAML may carry a compose-like name; a walk stays quiet
	}
	status := reportResult(opts, path, o.res, stderr)
	if o.err != nil {
		io.WriteString(stderr, fileError(path, finding.Unsupported, o.err))
		status = ExitError
	}
	if !o.res.Changed() {
		return status
	}
	if opts.list && opts.format == formatText {
		fmt.Fprintln(stdout, path)
	}
	if opts.diff && opts.format == formatText {
		stdout.Write(colorDiff(opts, unified(path, o.res)))
	}
	if opts.check && status == ExitOK {
		status = ExitChanges
	}
	return status
}

// reportResult prints a result's findings and error to stderr.
func reportResult(opts *options, path string, res *rewrite.Result, stderr io.Writer) int {
	if res.NotCompose {
		fmt.Fprintf(stderr, "%s: note: not a compose file (no top-level services mapping); left unchanged\n", path)
		return ExitOK
	}
	var x *textpos.Index
	index := func() *textpos.Index {
		if x == nil {
			x = textpos.New(res.Src)
		}
		return x
	}
	for _, f := range res.Findings {
		if (f.Fixed || f.Note) && !opts.verbose {
			continue
		}
		fmt.Fprintf(stderr, "%s:%s\n", path, rewrite.FormatFinding(index(), f))
	}
	if res.Err != nil {
		io.WriteString(stderr, resultError(path, index(), res.Err))
		return ExitError
	}
	return ExitOK
}

// unified renders a result's diff from its edits, in time linear in the
// file's size.
func unified(path string, res *rewrite.Result) []byte {
	name := diffName(path)
	d, err := diff.Edits("a/"+name, "b/"+name, res.Src, res.Edits)
	if err != nil {
		return diff.Unified("a/"+name, "b/"+name, res.Src, res.Out)
	}
	return d
}

// diffName is the path used in diff headers: slash-separated and relative,
// so git apply and patch -p1 accept the diff.
func diffName(path string) string {
	name := filepath.ToSlash(filepath.Clean(path))
	return strings.TrimLeft(strings.TrimPrefix(name, "./"), "/")
}

// trimPathError drops the operation and path an *fs.PathError repeats,
// since rofix prints the path first.
func trimPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// runStdin is the format-on-save mode: content in, hardened content out.
// On error nothing is written to stdout and the status is 2.
func runStdin(opts *options, stdin io.Reader, stdout, stderr io.Writer) int {
	src, err := io.ReadAll(io.LimitReader(stdin, MaxFileSize+1))
	if err != nil {
		io.WriteString(stderr, fileError(opts.stdinName, finding.Unsupported, err))
		return ExitError
	}
	if len(src) > MaxFileSize {
		io.WriteString(stderr, fileError(opts.stdinName, finding.Unsupported, fmt.Errorf("input over the %d MiB limit", MaxFileSize>>20)))
		return ExitError
	}
	gov := opts.configs.For(opts.stdinName)
	if gov.Err != nil {
		io.WriteString(stderr, configErrors(gov.Err))
		io.WriteString(stderr, fileError(opts.stdinName, finding.Unsupported, fmt.Errorf("not processed: its config file %s has errors", gov.Path)))
		return ExitError
	}
	kind := rewrite.DetectKind(opts.stdinName, src, true)
	// An editor names the file it holds: its tree gives the Dockerfiles.
	res := rewrite.Process(opts.stdinName, src, kind, withTree(gov.Policy, opts.stdinName, nil))
	status := reportResult(opts, opts.stdinName, res, stderr)
	if opts.format != formatText {
		if err := stdinDocument(opts, res, stdout); err != nil {
			fmt.Fprintf(stderr, "rofix: %v\n", err)
			return ExitError
		}
		if opts.check && res.Changed() && status == ExitOK {
			return ExitChanges
		}
		return status
	}
	if status == ExitError {
		return status
	}
	switch {
	case opts.diff:
		stdout.Write(colorDiff(opts, unified(opts.stdinName, res)))
	case opts.list:
		if res.Changed() {
			fmt.Fprintln(stdout, opts.stdinName)
		}
	default:
		stdout.Write(res.Out)
	}
	if opts.check && res.Changed() {
		return ExitChanges
	}
	return status
}
