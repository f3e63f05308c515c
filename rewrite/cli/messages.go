package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/rofix/rofix/rewrite"
	"github.com/rofix/rofix/rewrite/config"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/textpos"
)

// Every line rofix prints on stderr about a file has the documented shape
// "path:line:col: rule: message", or "path: rule: message" when there is
// no position, or "path: note: message" for a note. The rule of an error
// is syntax for input rofix cannot parse (a file's, its config file's) and
// unsupported for a file it cannot read, write or will not edit.

// fileError is the line of an error that has no position in the file.
func fileError(path string, rule finding.Rule, err error) string {
	return fmt.Sprintf("%s: %s: %v\n", path, rule, trimPathError(err))
}

// resultError is the line of a Result's error.
func resultError(path string, x *textpos.Index, err error) string {
	rule := rewrite.ErrorRule(err)
	var pe *finding.PosError
	if errors.As(err, &pe) {
		p := x.Pos(pe.Offset)
		return fmt.Sprintf("%s:%d:%d: %s: %v\n", path, p.Line, p.Column, rule, err)
	}
	return fileError(path, rule, err)
}

// configErrors are the lines of a config file's errors.
func configErrors(err error) string {
	var es config.Errors
	if !errors.As(err, &es) {
		return err.Error() + "\n"
	}
	var b strings.Builder
	for _, e := range es {
		switch {
		case e.Line > 0 && e.Column > 0:
			fmt.Fprintf(&b, "%s:%d:%d: %s: %s\n", e.Path, e.Line, e.Column, finding.Syntax, e.Msg)
		case e.Line > 0:
			fmt.Fprintf(&b, "%s:%d: %s: %s\n", e.Path, e.Line, finding.Syntax, e.Msg)
		default: // a file that cannot be read: no line to point at
			fmt.Fprintf(&b, "%s: %s: %s\n", e.Path, finding.Unsupported, e.Msg)
		}
	}
	return b.String()
}
