package learn

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// text is a YAML source with the offsets of its lines, to turn yaml.v3's
// line and column positions into byte offsets.
type text struct {
	src   []byte
	lines []int // offset of the start of each line (line 1 at index 0)
}

func newText(src []byte) *text {
	t := &text{src: src, lines: []int{0}}
	for i, b := range src {
		if b == '\n' {
			t.lines = append(t.lines, i+1)
		}
	}
	return t
}

// lineStart returns the offset of the start of a 1-based line (len(src)
// past the last line).
func (t *text) lineStart(line int) int {
	if line-1 >= len(t.lines) {
		return len(t.src)
	}
	return t.lines[line-1]
}

// lineEnd returns the offset just past the newline ending a line (or the
// end of the source).
func (t *text) lineEnd(line int) int {
	if line >= len(t.lines) {
		return len(t.src)
	}
	return t.lines[line]
}

// offset returns the byte offset of a node's start (yaml.v3 counts columns
// in characters).
func (t *text) offset(n *yaml.Node) int {
	off := t.lineStart(n.Line)
	for col := 1; col < n.Column && off < len(t.src); col++ {
		_, size := utf8.DecodeRune(t.src[off:])
		off += size
	}
	return off
}

// scalarEnd returns the offset just past a scalar starting at off; inFlow
// says it sits in a flow collection, where , ] and } end a plain scalar.
func (t *text) scalarEnd(off int, inFlow bool) (int, error) {
	s := t.src
	if off >= len(s) {
		return off, nil
	}
	switch s[off] {
	case '"':
		for i := off + 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				return i + 1, nil
			}
		}
		return 0, fmt.Errorf("unterminated double-quoted scalar")
	case '\'':
		for i := off + 1; i < len(s); i++ {
			if s[i] == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					i++
					continue
				}
				return i + 1, nil
			}
		}
		return 0, fmt.Errorf("unterminated single-quoted scalar")
	case '|', '>':
		return 0, fmt.Errorf("block scalar where a path is expected")
	}
	end := off
	for i := off; i < len(s); i++ {
		c := s[i]
		if c == '\n' || c == '#' && i > off && (s[i-1] == ' ' || s[i-1] == '\t') {
			break
		}
		if inFlow && (c == ',' || c == ']' || c == '}') {
			break
		}
		if c != ' ' && c != '\t' && c != '\r' {
			end = i + 1
		}
	}
	return end, nil
}

// flowEnd returns the offset of the closing bracket of a flow sequence
// that starts at off.
func (t *text) flowEnd(off int) (int, error) {
	s := t.src
	depth := 0
	for i := off; i < len(s); i++ {
		switch s[i] {
		case '"', '\'':
			end, err := t.scalarEnd(i, true)
			if err != nil {
				return 0, err
			}
			i = end - 1
		case '#':
			if i > 0 && (s[i-1] == ' ' || s[i-1] == '\t' || s[i-1] == '\n') {
				for i < len(s) && s[i] != '\n' {
					i++
				}
			}
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return i, nil
			}
		}
	}
	return 0, fmt.Errorf("unterminated flow sequence")
}

// plainSafe matches the strings written without quotes.
var plainSafe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9/][A-Za-z0-9/_.\-]*$`) })

// quote returns s as a YAML scalar: plain when that is unambiguous,
// double-quoted otherwise.
func quote(s string) string {
	if plainSafe().MatchString(s) {
		var v any
		if yaml.Unmarshal([]byte(s), &v) == nil {
			if str, ok := v.(string); ok && str == s {
				return s
			}
		}
	}
	return strconv.Quote(s)
}

// flowList renders items as a flow sequence.
func flowList(items []string) string {
	q := make([]string, len(items))
	for i, it := range items {
		q[i] = quote(it)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// mappingValue returns the value node of key in a mapping node, and the
// key node.
func mappingValue(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}
