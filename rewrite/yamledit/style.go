package yamledit

import (
	"errors"

	"gopkg.in/yaml.v3"
)

var errNotFlow = errors.New("an empty collection that is not written [] or {}")

// seqStyle is how a file writes a block sequence under a key: the dash's
// offset from the key's column (0 for indentless "key:\n- x") and the
// spaces after the dash.
type seqStyle struct {
	indent    int
	dashSpace int
}

// SeqStyleFor picks the style for a new list in mapping m: a sibling block
// sequence's style if m has one, else the file's majority.
func (c *Changes) SeqStyleFor(m *yaml.Node) seqStyle {
	if m != nil {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if st, ok := c.s.seqStyleOf(m.Content[i], m.Content[i+1]); ok {
				return st
			}
		}
	}
	if c.style == nil {
		st := c.s.majorityStyle()
		c.style = &st
	}
	return *c.style
}

// seqStyleOf measures the style of a key's block sequence value.
func (s *Source) seqStyleOf(key, val *yaml.Node) (seqStyle, bool) {
	if val.Kind != yaml.SequenceNode || val.Style&yaml.FlowStyle != 0 || len(val.Content) == 0 || val.Line <= key.Line {
		return seqStyle{}, false
	}
	first := val.Content[0]
	dash := s.dashColumn(first)
	keyCol := s.Column(s.Start(key))
	if dash < keyCol {
		return seqStyle{}, false
	}
	return seqStyle{indent: dash - keyCol, dashSpace: s.dashSpace(first)}, true
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

// majorityStyle votes over every key's block sequence in the file; ties and
// files without any go to the common "  - ".
func (s *Source) majorityStyle() seqStyle {
	votes := map[seqStyle]int{}
	s.visitMappings(func(n *yaml.Node) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if st, ok := s.seqStyleOf(n.Content[i], n.Content[i+1]); ok {
				votes[st]++
			}
		}
	})
	best := seqStyle{indent: 2, dashSpace: 1}
	for st, n := range votes {
		switch {
		case n > votes[best]:
			best = st
		case n < votes[best] || best == (seqStyle{indent: 2, dashSpace: 1}):
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
			if d := s.Column(s.Start(v.Content[0])) - s.Column(s.Start(k)); d > 0 {
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

// dashSpace returns the spaces between a block sequence item's dash and
// its content: 1 when the content starts on the next line.
func (s *Source) dashSpace(item *yaml.Node) int {
	dash := s.dashOffset(item)
	itemOff := s.Pos(item.Line, item.Column)
	if s.LineOf(dash) != s.LineOf(itemOff) {
		return 1
	}
	return max(1, itemOff-dash-1)
}
