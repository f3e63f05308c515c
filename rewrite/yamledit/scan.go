package yamledit

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

// End returns the offset just past a node's last character.
func (s *Source) End(n *yaml.Node, indent int, flow bool) (int, error) {
	switch n.Kind {
	case yaml.AliasNode:
		off := s.Start(n) + 1
		for off < len(s.Src) && !isSpace(s.Src[off]) && !isBreak(s.Src[off]) && !isFlowIndicator(s.Src[off]) {
			off++
		}
		return off, nil
	case yaml.ScalarNode:
		return s.ScalarEnd(n, indent, flow)
	case yaml.MappingNode, yaml.SequenceNode:
		if n.Style&yaml.FlowStyle != 0 {
			return s.flowEnd(s.Start(n))
		}
		if len(n.Content) == 0 {
			return s.Start(n), nil
		}
		last := n.Content[len(n.Content)-1]
		return s.End(last, s.childIndent(n), false)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return 0, nil
		}
		return s.End(n.Content[0], -1, false)
	}
	return 0, fmt.Errorf("unexpected YAML node kind %v", n.Kind)
}

// childIndent returns the column that owns the children of a block
// collection: the keys' column for a mapping, the dashes' for a sequence.
func (s *Source) childIndent(n *yaml.Node) int {
	if n.Kind == yaml.SequenceNode {
		return s.dashColumn(n.Content[0])
	}
	return s.KeyColumn(n.Content[0])
}

// dashColumn returns the column of the "-" before a block sequence item.
func (s *Source) dashColumn(item *yaml.Node) int {
	return s.Column(s.dashOffset(item))
}

// dashOffset returns the offset of the "-" before a block sequence item,
// which may sit alone on the line above the item.
func (s *Source) dashOffset(item *yaml.Node) int {
	off := s.Pos(item.Line, item.Column) - 1
	for off > 0 && (isSpace(s.Src[off]) || isBreak(s.Src[off])) {
		off--
	}
	return off
}

// ScalarEnd finds the end of a scalar token.
func (s *Source) ScalarEnd(n *yaml.Node, indent int, flow bool) (int, error) {
	off := s.Start(n)
	if off >= len(s.Src) || isEmptyNull(n) {
		return off, nil
	}
	switch s.Src[off] {
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
func (s *Source) quotedEnd(off int, quote byte) (int, error) {
	for i := off + 1; i < len(s.Src); i++ {
		switch s.Src[i] {
		case '\\':
			if quote == '"' {
				i++
			}
		case quote:
			if quote == '\'' && i+1 < len(s.Src) && s.Src[i+1] == '\'' {
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
func (s *Source) plainEnd(off int, indent int, flow bool) int {
	end := off
	for i := off; i < len(s.Src) && !isBreak(s.Src[i]); i++ {
		c := s.Src[i]
		if c == '#' && i > off && isSpace(s.Src[i-1]) {
			break
		}
		if flow && (c == ',' || c == ']' || c == '}') {
			break
		}
		if c == ':' && (i+1 == len(s.Src) || isSpace(s.Src[i+1]) || isBreak(s.Src[i+1]) || flow && isFlowIndicator(s.Src[i+1])) {
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
	for line := s.NextLine(end); line < len(s.Src); line = s.NextLine(line) {
		ind := s.IndentAt(line)
		c := byte('\n')
		if line+ind < len(s.Src) {
			c = s.Src[line+ind]
		}
		switch {
		case isBreak(c) || c == '\t':
			continue // blank line inside or after the scalar
		case c == '#' || ind <= indent:
			return end
		}
		end = s.LineEnd(line)
		for end > line && isSpace(s.Src[end-1]) {
			end--
		}
	}
	return end
}

// hasCommentAfter reports whether a comment follows off on its line.
func (s *Source) hasCommentAfter(off int) bool {
	for i := off; i < len(s.Src) && !isBreak(s.Src[i]); i++ {
		if s.Src[i] == '#' {
			return true
		}
		if !isSpace(s.Src[i]) {
			return false
		}
	}
	return false
}

// blockScalarEnd returns the end of a literal or folded block scalar whose
// header starts at off: the end of its last content line, or, with keep
// chomping ("|+"), of its trailing blank lines too.
func (s *Source) blockScalarEnd(off int, indent int) int {
	keep := false
	for i := off + 1; i < len(s.Src) && !isBreak(s.Src[i]) && s.Src[i] != '#' && s.Src[i] != ' '; i++ {
		if s.Src[i] == '+' {
			keep = true
		}
	}
	end := s.LineEnd(off)
	for line := s.NextLine(off); line < len(s.Src); line = s.NextLine(line) {
		ind := s.IndentAt(line)
		blank := line+ind >= len(s.Src) || isBreak(s.Src[line+ind])
		switch {
		case blank:
			if keep {
				end = s.LineEnd(line)
			}
		case ind <= indent:
			return end
		default:
			end = s.LineEnd(line)
		}
	}
	return end
}

// flowEnd returns the offset after the bracket closing the flow collection
// opened at off, skipping quoted scalars and comments. A quote opens a
// quoted scalar only where a scalar starts: inside a plain scalar
// ({a b"c: d}) it is an ordinary character. The rules are libyaml's: in
// flow context a plain scalar ends at ",?[]{}", at ": " and at " #".
func (s *Source) flowEnd(off int) (int, error) {
	depth := 0
	plain := false // inside a plain scalar
	for i := off; i < len(s.Src); i++ {
		c := s.Src[i]
		switch {
		case isSpace(c) || isBreak(c):
			continue
		case c == '#' && (isSpace(s.Src[i-1]) || isBreak(s.Src[i-1])):
			i = s.LineEnd(i) - 1
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
		case c == ':' && (!plain || i+1 == len(s.Src) || isSpace(s.Src[i+1]) || isBreak(s.Src[i+1])):
			plain = false // a value indicator
		case plain:
		case c == '"' || c == '\'':
			e, err := s.quotedEnd(i, c)
			if err != nil {
				return 0, err
			}
			i = e - 1
		case c == '!' || c == '&' || c == '*':
			for i+1 < len(s.Src) && !isSpace(s.Src[i+1]) && !isBreak(s.Src[i+1]) && !isFlowIndicator(s.Src[i+1]) {
				i++
			}
		default:
			plain = true
		}
	}
	return 0, fmt.Errorf("unterminated flow collection at byte %d", off)
}

func isFlowIndicator(c byte) bool { return c == ',' || c == '[' || c == ']' || c == '{' || c == '}' }
