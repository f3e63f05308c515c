package compose

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// yaml.v3 gives no end positions. The functions here find where a node's
// text ends by scanning the original bytes from its start: quotes and
// brackets are matched, block scalars and multi-line plain scalars end
// where the indentation says. indent is the 0-based column of the key or
// dash that owns the node: continuation lines must be indented deeper;
// flow tells whether the node sits inside a flow collection.

// end returns the offset just past a node's last character.
func (s *source) end(n *yaml.Node, indent int, flow bool) (int, error) {
	switch n.Kind {
	case yaml.AliasNode:
		off := s.start(n) + 1
		for off < len(s.src) && !isSpace(s.src[off]) && !isBreak(s.src[off]) && !isFlowIndicator(s.src[off]) {
			off++
		}
		return off, nil
	case yaml.ScalarNode:
		return s.scalarEnd(n, indent, flow)
	case yaml.MappingNode, yaml.SequenceNode:
		if n.Style&yaml.FlowStyle != 0 {
			return s.flowEnd(s.start(n))
		}
		if len(n.Content) == 0 {
			return s.start(n), nil
		}
		last := n.Content[len(n.Content)-1]
		return s.end(last, s.childIndent(n), false)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return 0, nil
		}
		return s.end(n.Content[0], -1, false)
	}
	return 0, fmt.Errorf("unexpected YAML node kind %v", n.Kind)
}

// childIndent returns the column that owns the children of a block
// collection: the keys' column for a mapping, the dashes' for a sequence.
func (s *source) childIndent(n *yaml.Node) int {
	if n.Kind == yaml.SequenceNode {
		return s.dashColumn(n.Content[0])
	}
	return s.column(s.start(n.Content[0]))
}

// dashColumn returns the column of the "-" before a block sequence item.
func (s *source) dashColumn(item *yaml.Node) int {
	return s.column(s.dashOffset(item))
}

// dashOffset returns the offset of the "-" before a block sequence item,
// which may sit alone on the line above the item.
func (s *source) dashOffset(item *yaml.Node) int {
	off := s.pos(item.Line, item.Column) - 1
	for off > 0 && (isSpace(s.src[off]) || isBreak(s.src[off])) {
		off--
	}
	return off
}

// scalarEnd finds the end of a scalar token.
func (s *source) scalarEnd(n *yaml.Node, indent int, flow bool) (int, error) {
	off := s.start(n)
	if off >= len(s.src) || isEmptyNull(n) {
		return off, nil
	}
	switch s.src[off] {
	case '"':
		return s.quotedEnd(off, '"')
	case '\'':
		return s.quotedEnd(off, '\'')
	case '|', '>':
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			return s.blockScalarEnd(off, indent), nil
		}
	}
	return s.plainEnd(off, indent, flow), nil
}

// isEmptyNull reports a value with no text at all ("key:" at a line end).
func isEmptyNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null" && n.Value == "" && n.Style == 0
}

// quotedEnd returns the offset after the closing quote of a quoted scalar.
func (s *source) quotedEnd(off int, quote byte) (int, error) {
	for i := off + 1; i < len(s.src); i++ {
		switch s.src[i] {
		case '\\':
			if quote == '"' {
				i++
			}
		case quote:
			if quote == '\'' && i+1 < len(s.src) && s.src[i+1] == '\'' {
				i++
				continue
			}
			return i + 1, nil
		}
	}
	return 0, fmt.Errorf("unterminated quoted scalar at byte %d", off)
}

// plainEnd returns the end of a plain scalar: the first line ends at a
// comment, a flow indicator in flow context, or the line end; following
// lines indented deeper than indent (and not comments) continue it.
func (s *source) plainEnd(off int, indent int, flow bool) int {
	end := off
	for i := off; i < len(s.src) && !isBreak(s.src[i]); i++ {
		c := s.src[i]
		if c == '#' && i > off && isSpace(s.src[i-1]) {
			break
		}
		if flow && (c == ',' || c == ']' || c == '}') {
			break
		}
		if c == ':' && (i+1 == len(s.src) || isSpace(s.src[i+1]) || isBreak(s.src[i+1]) || flow && isFlowIndicator(s.src[i+1])) {
			break // the end of a key
		}
		if !isSpace(c) {
			end = i + 1
		}
	}
	if flow || s.hasCommentAfter(end) {
		return end
	}
	// Continuation lines of a multi-line plain scalar.
	for line := s.nextLine(end); line < len(s.src); line = s.nextLine(line) {
		ind := s.indentAt(line)
		c := byte('\n')
		if line+ind < len(s.src) {
			c = s.src[line+ind]
		}
		switch {
		case isBreak(c) || c == '\t':
			continue // blank line inside or after the scalar
		case c == '#' || ind <= indent:
			return end
		}
		end = s.lineEnd(line)
		for end > line && isSpace(s.src[end-1]) {
			end--
		}
	}
	return end
}

// hasCommentAfter reports whether a comment follows off on its line.
func (s *source) hasCommentAfter(off int) bool {
	for i := off; i < len(s.src) && !isBreak(s.src[i]); i++ {
		if s.src[i] == '#' {
			return true
		}
		if !isSpace(s.src[i]) {
			return false
		}
	}
	return false
}

// blockScalarEnd returns the end of a literal or folded block scalar whose
// header starts at off: the end of its last content line, or, with keep
// chomping ("|+"), of its trailing blank lines too.
func (s *source) blockScalarEnd(off int, indent int) int {
	keep := false
	for i := off + 1; i < len(s.src) && !isBreak(s.src[i]) && s.src[i] != '#' && s.src[i] != ' '; i++ {
		if s.src[i] == '+' {
			keep = true
		}
	}
	end := s.lineEnd(off)
	for line := s.nextLine(off); line < len(s.src); line = s.nextLine(line) {
		ind := s.indentAt(line)
		blank := line+ind >= len(s.src) || isBreak(s.src[line+ind])
		switch {
		case blank:
			if keep {
				end = s.lineEnd(line)
			}
		case ind <= indent:
			return end
		default:
			end = s.lineEnd(line)
		}
	}
	return end
}

// flowEnd returns the offset after the bracket closing the flow collection
// opened at off, skipping quoted scalars and comments. A quote opens a
// quoted scalar only where a scalar starts: inside a plain scalar
// ({a b"c: d}) it is an ordinary character. The rules are libyaml's: in
// flow context a plain scalar ends at ",?[]{}", at ": " and at " #".
func (s *source) flowEnd(off int) (int, error) {
	depth := 0
	plain := false // inside a plain scalar
	for i := off; i < len(s.src); i++ {
		c := s.src[i]
		switch {
		case isSpace(c) || isBreak(c):
			continue
		case c == '#' && (isSpace(s.src[i-1]) || isBreak(s.src[i-1])):
			i = s.lineEnd(i) - 1
			plain = false
		case c == '[' || c == '{':
			depth++
			plain = false
		case c == ']' || c == '}' || c == ',':
			plain = false
			if c != ',' {
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
		case c == '?':
			plain = false // in flow context, always the key indicator
		case c == ':' && (!plain || i+1 == len(s.src) || isSpace(s.src[i+1]) || isBreak(s.src[i+1])):
			plain = false // a value indicator
		case plain:
		case c == '"' || c == '\'':
			e, err := s.quotedEnd(i, c)
			if err != nil {
				return 0, err
			}
			i = e - 1
		case c == '!' || c == '&' || c == '*':
			for i+1 < len(s.src) && !isSpace(s.src[i+1]) && !isBreak(s.src[i+1]) && !isFlowIndicator(s.src[i+1]) {
				i++
			}
		default:
			plain = true
		}
	}
	return 0, fmt.Errorf("unterminated flow collection at byte %d", off)
}

func isFlowIndicator(c byte) bool { return c == ',' || c == '[' || c == ']' || c == '{' || c == '}' }
