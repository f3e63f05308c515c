package compose

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/finding"
)

// Inside a flow collection ([ ] or { }), yaml.v3 (a YAML 1.1 parser) ends
// an unquoted value at "?"; compose's YAML library (YAML 1.2) takes it as
// an ordinary character unless a blank follows:
// [CMD, wget, http://localhost/?ping] is a list of three strings to it.
// On such an error, each such "?" is replaced for parsing by a letter,
// byte for byte, and the values that hold them get their own text back
// once parsed (restoreFlowChars): the tree is the one compose reads. (A
// value starting with ":", which compose takes in some places of a flow
// collection and not in others, stays refused.)

// flowPlaceholder stands for a replaced "?" while parsing.
const flowPlaceholder = 'q'

// flowChars handles yaml.v3's error on a flow collection: in the flow
// collections that start on the line it names, each "?" inside an
// unquoted value and not before a blank is replaced (replaced records
// their offsets). It returns the YAML error itself when there is none.
func (s *source) flowChars(text []byte, yerr error, replaced map[int]bool) ([]byte, error) {
	msg := strings.TrimPrefix(yerr.Error(), "yaml: ")
	if !isFlowErrorMsg(msg) {
		return nil, s.YAMLError(yerr)
	}
	line := 1
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, _, ok := strings.Cut(rest, ":"); ok {
			n, _ := strconv.Atoi(num)
			line = n + 1 // a parser error: its line is 0-based
		}
	}
	out := append([]byte(nil), text...)
	found := false
	start := s.LineStart(line)
	end := s.LineEnd(start)
	for i := start; i < end; i++ {
		switch c := out[i]; {
		case c == '#' && (i == start || isSpace(out[i-1])):
			i = end
		case c == '"' || c == '\'':
			i = skipQuoted(out, i)
		case c == '[' || c == '{':
			var n int
			i, n = replaceFlowChars(out, i, replaced)
			found = found || n > 0
		}
	}
	if !found {
		return nil, s.YAMLError(yerr)
	}
	return out, nil
}

func isFlowErrorMsg(msg string) bool {
	if strings.HasPrefix(msg, "line ") {
		_, msg, _ = strings.Cut(msg, ": ")
	}
	return strings.HasSuffix(msg, "did not find expected ',' or ']'") || strings.HasSuffix(msg, "did not find expected ',' or '}'") ||
		strings.HasSuffix(msg, "did not find expected node content")
}

// replaceFlowChars scans the flow collection opened at off in text (as
// libyaml scans flow context), replacing the characters yaml.v3 refuses.
// It returns the offset of the closing bracket and how many it replaced.
func replaceFlowChars(text []byte, off int, replaced map[int]bool) (int, int) {
	depth, n := 0, 0
	atStart := true // where a value may start
	inPlain := false
	for i := off; i < len(text); i++ {
		c := text[i]
		switch {
		case isSpace(c) || isBreak(c):
			atStart, inPlain = true, false
		case c == '#' && (i == 0 || isSpace(text[i-1]) || isBreak(text[i-1])):
			for i < len(text) && !isBreak(text[i]) {
				i++
			}
			i--
		case c == '[' || c == '{':
			depth++
			atStart, inPlain = true, false
		case c == ']' || c == '}':
			depth--
			inPlain = false
			if depth == 0 {
				return i, n
			}
		case c == ',':
			atStart, inPlain = true, false
		case (c == '"' || c == '\'') && atStart:
			i = skipQuoted(text, i)
			atStart = false
		case c == ':' && (i+1 >= len(text) || isSpace(text[i+1]) || isBreak(text[i+1]) || isFlowIndicator(text[i+1])):
			atStart, inPlain = true, false // a value indicator
		case c == '?' && atStart:
			atStart = false // an explicit key indicator (or "?x", left as yaml.v3 reads it)
		case c == '?' && inPlain && i+1 < len(text) && !isSpace(text[i+1]) && !isBreak(text[i+1]):
			// Compose's library refuses "?" before a blank ("[a? b]") as
			// yaml.v3 does; elsewhere in a value it is a character.
			text[i] = flowPlaceholder
			replaced[i] = true
			n++
		default:
			atStart, inPlain = false, true
		}
	}
	return len(text) - 1, n
}

// skipQuoted returns the offset of the quote closing the quoted scalar
// opened at off (or the end of text).
func skipQuoted(text []byte, off int) int {
	q := text[off]
	for i := off + 1; i < len(text); i++ {
		switch {
		case q == '"' && text[i] == '\\':
			i++
		case text[i] == q && q == '\'' && i+1 < len(text) && text[i+1] == '\'':
			i++
		case text[i] == q:
			return i
		}
	}
	return len(text) - 1
}

// restoreFlowChars gives the values holding replaced characters their
// own text back. Such a value is a plain scalar on one line, whose value
// is its text; any other is refused.
func (s *source) restoreFlowChars(replaced map[int]bool) error {
	if len(replaced) == 0 {
		return nil
	}
	stack := append([]*yaml.Node(nil), s.Docs...)
	left := len(replaced)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		stack = append(stack, n.Content...)
		if n.Kind != yaml.ScalarNode || n.Style != 0 && n.Style != yaml.TaggedStyle {
			continue
		}
		start := s.Start(n)
		end := start + len(n.Value)
		if end > len(s.Src) {
			continue
		}
		hits := 0
		for i := start; i < end; i++ {
			if replaced[i] {
				hits++
			}
		}
		if hits == 0 {
			continue
		}
		if s.LineOf(start) != s.LineOf(end-1) {
			return finding.Errorf(start, "a value in [ ] or { } holds \"?\" and goes on over lines: rofix cannot read it; quote it")
		}
		n.Value = string(s.Src[start:end])
		left -= hits
	}
	if left > 0 {
		first := len(s.Src)
		for off := range replaced {
			first = min(first, off)
		}
		return finding.Errorf(first, "rofix cannot read this \"?\" in [ ] or { }; quote the value holding it")
	}
	return nil
}
