package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/rofix/rofix/rewrite"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/report"
)

// The values of --format: what stdout carries.
const (
	formatText     = "text" // diffs, lists or content, as the other flags say
	formatJSON     = "json"
	formatSARIF    = "sarif"
	formatMarkdown = "markdown"
)

func checkFormat(f string) error {
	switch f {
	case formatText, formatJSON, formatSARIF, formatMarkdown:
		return nil
	}
	return fmt.Errorf("invalid --format %q: want text, json, sarif or markdown", f)
}

// reporter follows a run's outcomes for everything printed once at the end:
// the document of --format json, sarif or markdown, the summary on stderr,
// and the progress line on the way.
type reporter struct {
	opts     *options
	files    []report.File // kept only when a document is written
	sum      report.Summary
	progress *progress // nil unless stderr is a terminal
	summary  bool      // print the summary at the end
	skips    skipCounts
}

func newReporter(opts *options, stderr io.Writer) *reporter {
	r := &reporter{opts: opts}
	if opts.env.stderrTerm {
		r.progress = newProgress(stderr, opts.env.now)
	}
	r.summary = (opts.env.stderrTerm || opts.verbose) && hasDir(opts.paths)
	return r
}

// hasDir reports whether any path names a directory: a summary is printed
// after a directory run only.
func hasDir(paths []string) bool {
	for _, p := range paths {
		if info, err := os.Lstat(p); err == nil && info.IsDir() {
			return true
		}
	}
	return false
}

// add records one outcome. A plain text run without a summary or a
// progress line skips it all: the text path stays as fast as before.
func (r *reporter) add(o *outcome) {
	if o.job.skip != nil {
		r.skips.add(o.job.skip) // not a file of the run: in the summary only
		return
	}
	if r.opts.format == formatText && !r.summary && r.progress == nil {
		return
	}
	f, ok := fileOf(r.opts, o)
	if r.progress != nil {
		r.progress.update(ok && f.Changed)
	}
	if !ok {
		return
	}
	r.sum.Add(&f)
	if r.opts.format == formatText || r.opts.list && !f.Changed && f.Err == nil {
		return
	}
	r.files = append(r.files, f)
}

// finish writes the document and the summary.
func (r *reporter) finish(stdout, stderr io.Writer) error {
	if r.progress != nil {
		r.progress.clear()
	}
	var err error
	if r.opts.format != formatText {
		err = writeDocument(r.opts, r.files, stdout)
	}
	if r.summary {
		io.WriteString(stderr, r.sum.Text())
		io.WriteString(stderr, r.skips.text(r.opts.verbose))
	}
	return err
}

// fileOf turns an outcome into the report's terms; false for files a walk
// passes over silently (not compose, not a script).
func fileOf(opts *options, o *outcome) (report.File, bool) {
	path := o.job.path
	kind := o.job.kind.String()
	switch {
	case o.job.err != nil:
		return report.Failed(path, kind, trimPathError(o.job.err)), true
	case o.job.note != "":
		return report.Skipped(path, o.job.note), true
	case o.res == nil && o.err != nil:
		return report.Failed(path, kind, trimPathError(o.err)), true
	case o.res == nil, o.res.NotCompose && !o.job.explicit:
		return report.File{}, false
	}
	f := report.FromResult(path, o.res)
	if o.err != nil {
		f.Err = &report.FileError{Rule: finding.Unsupported, Message: trimPathError(o.err).Error()}
	}
	f.Written = opts.write && f.Changed && o.err == nil
	return f, true
}

// stdinDocument writes the document for stdin mode's one input.
func stdinDocument(opts *options, res *rewrite.Result, stdout io.Writer) error {
	o := &outcome{job: job{path: opts.stdinName, explicit: true, kind: res.Kind}, res: res}
	f, _ := fileOf(opts, o)
	files := []report.File{f}
	if opts.list && !f.Changed && f.Err == nil {
		files = nil
	}
	return writeDocument(opts, files, stdout)
}

// writeDocument writes the --format document for files.
func writeDocument(opts *options, files []report.File, stdout io.Writer) error {
	switch opts.format {
	case formatJSON:
		return report.WriteJSON(stdout, files)
	case formatSARIF:
		return report.WriteSARIF(stdout, files, report.SARIFOptions{Root: opts.env.root})
	case formatMarkdown:
		return report.WriteMarkdown(stdout, files, 0)
	}
	return nil
}
