// Package report renders a run's results for machines and reviewers: one
// JSON document (json.go), a SARIF 2.1.0 log (sarif.go), the body of a pull
// request (markdown.go) and the run's summary (summary.go). Every renderer
// reads the same Files, built by FromResult from the engines' Results: the
// findings and edits the diff is rendered from, never a second computation.
package report

import (
	"errors"

	"github.com/rofix/rofix/rewrite"
	"github.com/rofix/rofix/rewrite/edit"
	"github.com/rofix/rofix/rewrite/finding"
)

// Severity is how much a finding asks of a person.
type Severity string

// The severities, named as SARIF names its levels.
const (
	// SeverityNote: rofix fixed it, or a person already decided (an ignore
	// directive); nothing to do but review the change.
	SeverityNote Severity = "note"
	// SeverityWarning: left as it is and needs a person (an explicit
	// opt-out, a value rofix cannot edit safely, a bind left writable).
	SeverityWarning Severity = "warning"
	// SeverityError: the file could not be processed and is untouched.
	SeverityError Severity = "error"
)

// SeverityOf returns a finding's severity: fixed findings, directives and
// notes (Finding.Note) are notes, every other finding is a warning. Errors
// are never findings.
func SeverityOf(f finding.Finding) Severity {
	if f.Fixed || f.Note || f.Rule == finding.Directive {
		return SeverityNote
	}
	return SeverityWarning
}

// A File is one file's outcome in the terms every report shares.
type File struct {
	Path    string // as rofix was given it or found it in a walk
	Kind    string // "compose", "shell", or "unknown" when never read
	Changed bool   // the content changes (with -w: was to be written)
	Written bool   // the new content was written (-w)
	// Note says why a file was skipped without an error (a symlink, YAML
	// that is not compose); empty otherwise.
	Note     string
	Err      *FileError // nil when the file was processed
	Findings []Finding
	// Edits turn the original into the new content: sorted by offset,
	// neither overlapping nor touching, so applied in any order they give
	// exactly what -w writes. Empty when nothing changes.
	Edits []Edit
	// fix is Edits in the shape SARIF replacements need (see lines.go).
	fix []replacement
}

// A Finding is a finding with its positions resolved.
type Finding struct {
	Rule       finding.Rule
	Start, End Position
	Message    string
	Severity   Severity
	Fixed      bool
	Subject    *Subject // nil when the finding is about the whole file
}

// A Subject is the service or run command a finding is about.
type Subject struct {
	Kind string // "service" or "command"
	Name string
	Line int
}

// An Edit replaces the original's bytes [Offset, End) with Text.
type Edit struct {
	Offset, End int
	Text        string
}

// A FileError is why a file could not be processed, read or written.
type FileError struct {
	// Rule is the id the error is reported under, as on stderr: syntax
	// for input rofix cannot parse, unsupported for a file it cannot read,
	// write or will not edit.
	Rule    finding.Rule
	Message string
	Pos     *Position // nil when the error has no position in the file
}

// FromResult converts an engine's result for the file at path.
func FromResult(path string, res *rewrite.Result) File {
	f := File{Path: path, Kind: res.Kind.String(), Changed: res.Changed(), Findings: []Finding{}, Edits: []Edit{}}
	if res.NotCompose {
		f.Note = "not a compose file (no top-level services mapping); left unchanged"
		return f
	}
	x := newIndex(res.Src)
	for _, fd := range res.Findings {
		start, end := x.region(fd.Start, fd.End)
		rf := Finding{
			Rule: fd.Rule, Start: start, End: end,
			Message: fd.Message, Severity: SeverityOf(fd), Fixed: fd.Fixed,
		}
		if s := fd.Subject; s != nil {
			rf.Subject = &Subject{Kind: s.Kind, Name: s.Name, Line: x.pos(s.Start).Line}
		}
		f.Findings = append(f.Findings, rf)
	}
	if res.Err != nil {
		f.Err = &FileError{Rule: rewrite.ErrorRule(res.Err), Message: res.Err.Error()}
		var pe *finding.PosError
		if errors.As(res.Err, &pe) {
			p := x.pos(pe.Offset)
			f.Err.Pos = &p
		}
	}
	if f.Changed {
		sorted := edit.Sorted(res.Edits)
		for _, e := range sorted {
			// Edits that touch (two insertions at one offset) become one, so
			// that no order of application is ambiguous.
			if n := len(f.Edits); n > 0 && f.Edits[n-1].End == e.Start {
				f.Edits[n-1].End = e.End
				f.Edits[n-1].Text += e.Text
				continue
			}
			f.Edits = append(f.Edits, Edit{Offset: e.Start, End: e.End, Text: e.Text})
		}
		f.fix = x.replacements(sorted)
	}
	return f
}

// Failed returns the File for a path that could not be read or walked.
func Failed(path, kind string, err error) File {
	return File{Path: path, Kind: kind, Err: &FileError{Rule: finding.Unsupported, Message: err.Error()}, Findings: []Finding{}, Edits: []Edit{}}
}

// Skipped returns the File for a path left alone for a reason that is not
// an error.
func Skipped(path, note string) File {
	return File{Path: path, Kind: "unknown", Note: note, Findings: []Finding{}, Edits: []Edit{}}
}
