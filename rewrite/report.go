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
