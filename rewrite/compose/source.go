package compose

import (
	"errors"
	"strings"

	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/yamledit"
)

// source is a parsed compose file: yamledit's Source (the original bytes,
// the documents and the offset arithmetic), read as compose's YAML library
// reads it (see compat.go), plus compose's own checks on it.
type source struct {
	*yamledit.Source
}

// parse decodes every document of src. Errors carry the offset of the line
// yaml.v3 names.
func parse(src []byte) (*source, error) {
	ys, err := yamledit.NewSource(src)
	if err != nil {
		return nil, err
	}
	s := &source{ys}
	text := printable(src)
	controls := len(src) > 0 && &text[0] != &src[0] // printable replaced some
	renamed := map[string]string{}
	replaced := map[int]bool{}
	reparsed := 0
	for renames := 0; ; renames++ {
		docs, err := yamledit.DecodeAll(text)
		if err == nil {
			s.Docs = docs
			if err := s.restoreFlowChars(replaced); err != nil {
				return nil, err
			}
			if controls {
				if err := s.checkControlInProperties(); err != nil {
					return nil, err
				}
			}
			return s, nil
		}
		// yaml.v3 takes only letters, digits, "-" and "_" in anchor
		// names; compose's YAML library takes any printable ASCII but
		// ":" and flow indicators (&default.env). Rename such an anchor
		// or alias for parsing, then try again.
		// Likewise "?" in an unquoted value inside [ ] or { } (flowcompat.go).
		// The parse got about as far as the error: count that much.
		reparsed += len(src)
		var pe *finding.PosError
		if errors.As(s.YAMLError(err), &pe) {
			reparsed += pe.Offset - len(src)
		}
		if renames == maxRenames || reparsed > maxReparseBytes {
			return nil, finding.Errorf(0, "too many anchor names with punctuation or values with \"?\" in [ ] or { } (%d read); rofix does not read this file", renames)
		}
		if isFlowErrorMsg(strings.TrimPrefix(err.Error(), "yaml: ")) {
			text, err = s.flowChars(text, err, replaced)
		} else {
			text, err = s.renameAnchor(text, err, renamed)
		}
		if err != nil {
			return nil, err
		}
	}
}

// isSpace, isBreak and isFlowIndicator classify bytes as libyaml does.
func isSpace(c byte) bool { return c == ' ' || c == '\t' }
func isBreak(c byte) bool { return c == '\n' || c == '\r' }
func isFlowIndicator(c byte) bool {
	return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'
}
