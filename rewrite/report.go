package rewrite

import (
	"errors"
	"fmt"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/textpos"
)

// FormatFinding renders a finding as "line:col: rule: message", with
// " (fixed)" appended when the edits fix it and " (note)" when it asks
// nothing of a person (finding.Finding.Note). Columns count bytes.
func FormatFinding(x *textpos.Index, f finding.Finding) string {
	p := x.Pos(f.Start)
	s := fmt.Sprintf("%d:%d: %s: %s", p.Line, p.Column, f.Rule, f.Message)
	switch {
	case f.Fixed:
		s += " (fixed)"
	case f.Note:
		s += " (note)"
	}
	return s
}

// FormatError renders a processing error as "line:col: message" when it
// carries a position, else as its message.
func FormatError(x *textpos.Index, err error) string {
	var pe *finding.PosError
	if errors.As(err, &pe) {
		p := x.Pos(pe.Offset)
		return fmt.Sprintf("%d:%d: %s", p.Line, p.Column, err)
	}
	return err.Error()
}

// ErrorRule returns the rule id a Result's error is reported under: syntax
// for input an engine cannot read, unsupported for a file of no kind rofix
// hardens and for edits that failed verification.
func ErrorRule(err error) finding.Rule {
	var u *unsupportedError
	if errors.As(err, &u) {
		return finding.Unsupported
	}
	return finding.Syntax
}

// unsupportedError marks an error that is not about the input's syntax.
type unsupportedError struct{ err error }

func unsupported(err error) error         { return &unsupportedError{err} }
func (e *unsupportedError) Error() string { return e.err.Error() }
func (e *unsupportedError) Unwrap() error { return e.err }
