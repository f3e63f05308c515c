package compose

import (
	"bytes"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
)

// rofix parses with yaml.v3; compose reads YAML with its successor
// (go.yaml.in/yaml/v4), which takes a little more. What it takes and
// yaml.v3 refuses is made readable here, without moving a byte: positions
// in the parsed text are positions in the file.

// maxRenames bounds the anchor and alias names renamed for parsing: each
// one costs a parse of the file.
const maxRenames = 1000

// maxReparseBytes bounds the bytes parsed again for renames (each retry
// parses the file again, up to the next such name), so that a file full of
// such names costs seconds at most.
const maxReparseBytes = 64 << 20

// renameAnchor handles yaml.v3's error on an anchor or alias name holding
// characters it does not take: on the line it names, the first such name
// gets "_" for each of them (same length: positions do not move). It
// returns the YAML error itself when there is no such name, or when the new
// name is already written in the file or was made from another name
// (two names would become one); renamed maps each new name to the name it
// was made from, across the calls for one file.
func (s *source) renameAnchor(text []byte, yerr error, renamed map[string]string) ([]byte, error) {
	msg := yerr.Error()
	// After a name cut short at such a character, yaml.v3 may also meet
	// it as a token ("&a%b": "%" cannot start one).
	if !strings.HasSuffix(msg, "did not find expected alphabetic or numeric character") &&
		!strings.HasSuffix(msg, "found character that cannot start any token") {
		return nil, s.YAMLError(yerr)
	}
	line := 1
	if rest, ok := strings.CutPrefix(msg, "yaml: line "); ok {
		if num, _, ok := strings.Cut(rest, ":"); ok {
			line, _ = strconv.Atoi(num)
		}
	}
	start := s.LineStart(line)
	end := s.LineEnd(start)
	for i := start; i < end; i++ {
		if c := text[i]; c != '&' && c != '*' || i > start && !isSpace(text[i-1]) && !isFlowIndicator(text[i-1]) {
			continue
		}
		j := i + 1
		bad := false
		for j < end && isAnchorChar(text[j]) {
			bad = bad || !isV3AnchorChar(text[j])
			j++
		}
		if !bad {
			continue
		}
		name := bytes.Clone(text[i+1 : j])
		for k := range name {
			if !isV3AnchorChar(name[k]) {
				name[k] = '_'
			}
		}
		orig := string(text[i+1 : j])
		if from, ok := renamed[string(name)]; ok && from != orig {
			return nil, finding.Errorf(i, "anchor names %s and %s cannot be told apart by rofix's YAML parser; rename one", orig, from)
		}
		if bytes.Contains(s.Src, append([]byte{'&'}, name...)) || bytes.Contains(s.Src, append([]byte{'*'}, name...)) {
			return nil, finding.Errorf(i, "anchor names %s and %s cannot be told apart by rofix's YAML parser; rename one", orig, name)
		}
		renamed[string(name)] = orig
		out := bytes.Clone(text)
		copy(out[i+1:], name)
		return out, nil
	}
	return nil, s.YAMLError(yerr)
}

// isAnchorChar reports a byte compose's YAML library takes in an anchor
// name: printable ASCII but blanks, ":" and flow indicators.
func isAnchorChar(c byte) bool {
	return c > ' ' && c < 0x7F && c != ':' && !isFlowIndicator(c)
}

func isV3AnchorChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-'
}

// printable returns src with the characters yaml.v3 refuses and the YAML
// library of compose accepts (DEL and the C1 controls but NEL, which are
// ordinary characters to it) replaced by ordinary characters of the same
// byte and rune length, for parsing only: the edits apply to src itself,
// and both the input and the output are parsed this way.
func printable(src []byte) []byte {
	var out []byte
	for i := 0; i < len(src); i++ {
		if !isControl(src, i) {
			continue
		}
		c1 := src[i] == 0xC2
		if out == nil {
			out = bytes.Clone(src)
		}
		if c1 {
			i++
			out[i] = 0xA1 // U+00A1, a printable two-byte character
		} else {
			out[i] = 'q' // no indicator, no escape letter
		}
	}
	if out == nil {
		return src
	}
	return out
}

// checkControlInProperties refuses a tag, anchor or alias holding a
// character printable made readable: compose's YAML library takes DEL and
// the C1 controls in scalars, not in node properties.
func (s *source) checkControlInProperties() error {
	stack := append([]*yaml.Node(nil), s.Docs...)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		stack = append(stack, n.Content...)
		from, to := s.Pos(n.Line, n.Column), s.Start(n)
		if n.Kind == yaml.AliasNode {
			to = from + 1 + len(n.Value)
		}
		for i := from; i < to && i < len(s.Src); i++ {
			if isControl(s.Src, i) {
				return finding.Errorf(i, "a tag, anchor or alias holds a control character: compose rejects this file")
			}
		}
	}
	return nil
}

// isControl reports whether src holds DEL or a C1 control but NEL at i.
func isControl(src []byte, i int) bool {
	c := src[i]
	return c == 0x7F || c == 0xC2 && i+1 < len(src) && src[i+1] >= 0x80 && src[i+1] <= 0x9F && src[i+1] != 0x85
}
