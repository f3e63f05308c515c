package yamledit

import (
	"errors"
	"strings"

	"gopkg.in/yaml.v3"
)

var errNotFlow = errors.New("an empty collection that is not written [] or {}")

// SeqStyle is how a file writes a block sequence under a key: the dash's
// offset from the key's column (0 for indentless "key:\n- x") and the
// spaces after the dash.
type SeqStyle struct {
	indent    int
	dashSpace int
}

// Prefix is what comes before an item's text on its line, relative to the
// key's column: the indent, the dash and the spaces after it.
func (st SeqStyle) Prefix() string {
	return strings.Repeat(" ", st.indent) + "-" + strings.Repeat(" ", st.dashSpace)
}

// SeqStyleFor picks the style for a new list in mapping m: a sibling block
// sequence's style if m has one, else the file's majority.
func (c *Changes) SeqStyleFor(m *yaml.Node) SeqStyle {
	if m != nil {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if st, ok := c.s.SeqStyleOf(m.Content[i], m.Content[i+1]); ok {
				return st
			}
		}
	}
	if c.style == nil {
		st := c.s.MajorityStyle()
		c.style = &st
	}
	return *c.style
}

// SeqStyleOf measures the style of a key's block sequence value.
func (s *Source) SeqStyleOf(key, val *yaml.Node) (SeqStyle, bool) {
	if val.Kind != yaml.SequenceNode || val.Style&yaml.FlowStyle != 0 || len(val.Content) == 0 || val.Line <= key.Line {
		return SeqStyle{}, false
	}
	first := val.Content[0]
	dash := s.dashColumn(first)
	keyCol := s.KeyColumn(key)
	if dash < keyCol {
		return SeqStyle{}, false
	}
	return SeqStyle{indent: dash - keyCol, dashSpace: s.DashSpace(first)}, true
}

// visitMappings calls f on every mapping of every document.
func (s *Source) visitMappings(f func(m *yaml.Node)) {
	var visit func(n *yaml.Node, depth int)
	visit = func(n *yaml.Node, depth int) {
		if depth > 1000 {
			return
		}
		if n.Kind == yaml.MappingNode {
			f(n)
		}
		for _, child := range n.Content {
			visit(child, depth+1)
		}
	}
	for _, d := range s.Docs {
		visit(d, 0)
	}
}

// MajorityStyle votes over every key's block sequence in the file; ties and
// files without any go to the common "  - ".
func (s *Source) MajorityStyle() SeqStyle {
	votes := map[SeqStyle]int{}
	var visit func(n *yaml.Node)
	visit = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if st, ok := s.SeqStyleOf(n.Content[i], n.Content[i+1]); ok {
					votes[st]++
				}
			}
		}
		for _, child := range n.Content {
			visit(child)
		}
	}
	for _, d := range s.Docs {
		visit(d)
	}
	best := SeqStyle{indent: 2, dashSpace: 1}
	for st, n := range votes {
		switch {
		case n > votes[best]:
			best = st
		case n < votes[best] || best == (SeqStyle{indent: 2, dashSpace: 1}):
		case st.indent < best.indent || st.indent == best.indent && st.dashSpace < best.dashSpace:
			best = st // a deterministic tie-break
		}
	}
	return best
}

// mapStep returns how far the file indents a block mapping under its key:
// the majority over the file, 2 when it has none.
func (c *Changes) mapStep() int {
	if c.step > 0 {
		return c.step
	}
	s := c.s
	votes := map[int]int{}
	s.visitMappings(func(n *yaml.Node) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Kind != yaml.MappingNode || v.Style&yaml.FlowStyle != 0 || len(v.Content) == 0 || v.Line <= k.Line {
				continue
			}
			if d := s.KeyColumn(v.Content[0]) - s.KeyColumn(k); d > 0 {
				votes[d]++
			}
		}
	})
	best := 2
	for d, n := range votes {
		if n > votes[best] || n == votes[best] && d < best {
			best = d
		}
	}
	c.step = best
	return best
}

// DashSpace returns the spaces between a block sequence item's dash and
// its content: 1 when the content starts on the next line.
func (s *Source) DashSpace(item *yaml.Node) int {
	dash := s.dashOffset(item)
	itemOff := s.Pos(item.Line, item.Column)
	if s.LineOf(dash) != s.LineOf(itemOff) {
		return 1
	}
	return max(1, itemOff-dash-1)
}
